// /healthz on a Redis that will not say its eviction policy: each probe answers without asking it again.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createLogger } from "../../src/core/log.js";
import { connectRedis, type RedisLink } from "../../src/isc/redis.js";
import { replyHealth } from "../../src/transports/http/health.js";
import { describeWithRedis, startRedisServer, type RedisServer } from "../support/redis-server.js";

// The server's user may not run INFO or CONFIG (as on some managed services); `admin` reads the command counts.
const ACL = ["--user", "default", "on", "nopass", "~*", "&*", "+@all", "-info", "-config"];
const ADMIN = ["--user", "admin", "on", ">admin-secret-0123", "~*", "&*", "+@all"];

describeWithRedis("/healthz on a Redis that will not say its maxmemory-policy", () => {
  let redis: RedisServer;
  let link: RedisLink;
  let admin: Redis;
  let http: Server;
  const warnings: string[] = [];
  beforeAll(async () => {
    redis = await startRedisServer({ args: [...ACL, ...ADMIN] });
    link = await connectRedis({ url: redis.url, log: createLogger("warn", (l) => void warnings.push(l)) });
    admin = new Redis({ port: redis.port, host: "127.0.0.1", username: "admin", password: "admin-secret-0123" });
    http = createServer((_req, res) => void replyHealth(res, "live", link));
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  });
  afterAll(async () => {
    await new Promise((r) => http?.close(r));
    admin?.disconnect();
    await link?.close();
    await redis?.stop();
  });

  /** How many times this Redis refused CONFIG GET (the policy's second source) to the server's user. */
  const refusedConfigGets = async () =>
    Number(/^cmdstat_config\|get:.*rejected_calls=(\d+)/m.exec(await admin.info("commandstats"))?.[1] ?? 0);

  it("answers each probe reachable, and asks the policy no more after the connect asked it once", async () => {
    await link.learned();
    expect(link.maxmemoryPolicy).toBeUndefined();
    expect(warnings.filter((l) => l.includes("did not say its maxmemory-policy"))).toHaveLength(1);
    const before = await refusedConfigGets();
    expect(before).toBeGreaterThan(0);
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/healthz`;
    for (let probe = 0; probe < 3; probe++) {
      expect(await (await fetch(url)).json()).toMatchObject({ status: "ok", redis: "reachable" });
    }
    expect(await refusedConfigGets()).toBe(before);
  });
});

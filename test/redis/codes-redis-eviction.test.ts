// A replica on a Redis that may evict keys: a confirmation code is refused through the real server, saying why and who fixes it.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { serveTenant, type ServedTenant } from "../support/cli-process.js";
import { deletable, textOf } from "../support/confirm-e2e.js";
import { describeWithRedis, startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startReplica, type Replica } from "../support/replica.js";

const codeOf = (r: CallToolResult) => (r.structuredContent as { confirmationCode: string }).confirmationCode;

describeWithRedis("confirmation codes on a Redis with maxmemory-policy allkeys-lru", () => {
  let redis: RedisServer;
  let tenant: ServedTenant;
  let replica: Replica;
  beforeAll(async () => {
    [redis, tenant] = await Promise.all([
      startRedisServer({ args: ["--maxmemory-policy", "allkeys-lru"] }),
      serveTenant({ identities: 20 }),
    ]);
    const env = {
      baseUrl: tenant.served.url,
      clientId: tenant.sandbox.clientId,
      clientSecret: tenant.sandbox.clientSecret,
    };
    replica = await startReplica(env, ["--redis-url", redis.url, "--confirm", "auto", "--rate-limit", "0"]);
  }, 30_000);
  afterAll(async () => {
    await replica?.stop();
    await Promise.all([tenant?.served.close(), redis?.stop()]);
  });

  it("warns once at start, refuses the code with the cause and the fix, and resets nothing", async () => {
    const [id] = deletable(tenant.sandbox.state, 1) as [string];
    const code = codeOf(await replica.call("reset_identity", { identityId: id }));
    const refused = await replica.call("reset_identity", { identityId: id, confirmationCode: code });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/^reset_identity refused: nothing was changed\./);
    expect(textOf(refused)).toContain(
      "Why: the confirmation code cannot be tracked: this server's Redis may evict keys (maxmemory-policy allkeys-lru), so a spent code could be forgotten and act twice; whoever runs the server should set maxmemory-policy noeviction.\nNext step: Tell whoever runs this server; until it is fixed no confirmation code is accepted here, so do not ask for a new one.",
    );
    await vi.waitFor(
      () =>
        expect(replica.cli.stderr()).toMatch(/"tool":"reset_identity".*"outcome":"refused","reason":"code-untracked"/),
      { timeout: 10_000 },
    );
    expect(
      replica.cli.stderr().match(/has maxmemory-policy allkeys-lru: under memory pressure it may evict keys/g),
    ).toHaveLength(1);
    expect(replica.cli.stderr()).not.toContain(code);
    expect(
      tenant.sandbox.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/identities/${id}/reset`)),
    ).toHaveLength(0);
  });
});

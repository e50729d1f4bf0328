// The guard's store on a real Redis, two connections standing for two replicas: each step happens once across both.
import { afterAll, beforeAll, expect, it } from "vitest";
import { StoreUnavailable } from "../src/core/errors.js";
import { createLogger } from "../src/core/log.js";
import { connectRedis, type RedisLink } from "../src/core/redis.js";
import { createRedisStore } from "../src/guard/store-redis.js";
import type { GuardStore, PendingConfirmation } from "../src/guard/store.js";
import { describeWithRedis, startRedisServer, type RedisServer } from "./support/redis-server.js";

const LIFETIME = 300_000;

describeWithRedis("guard store on Redis", () => {
  let redis: RedisServer;
  let links: RedisLink[];
  let a: GuardStore;
  let b: GuardStore;
  beforeAll(async () => {
    redis = await startRedisServer();
    links = await Promise.all([1, 2].map(() => connectRedis({ url: redis.url, log: createLogger("silent") })));
    // Let each link read when the server started (codes issued before that are refused).
    await new Promise((r) => setTimeout(r, 1_100));
    [a, b] = links.map((l) => createRedisStore(l, { codeLifetimeMs: LIFETIME })) as [GuardStore, GuardStore];
  });
  afterAll(async () => {
    await Promise.all((links ?? []).map((l) => l.close()));
    await redis?.stop();
  });

  it("spends a code exactly once across replicas, and keeps no readable trace of it", async () => {
    const now = Date.now();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).spend("code-1", LIFETIME - 1_000, now)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const keys = await links[0]!.client.keys("*");
    expect(keys.join(" ")).not.toContain("code-1");
  });

  it("refuses to guess about a code issued before the Redis server started", async () => {
    // Issued 200 s ago by the clock, long before this Redis came up a second ago.
    await expect(a.spend("old-code", LIFETIME - 200_000, Date.now())).rejects.toBeInstanceOf(StoreUnavailable);
  });

  it("starts a cooldown once, and tells the others how long is left", async () => {
    const now = Date.now();
    const [x, y] = await Promise.all([a.startCooldown("sync:acme:1", 10_000, now), b.startCooldown("sync:acme:1", 10_000, now)]);
    expect([x, y].filter((v) => v === 0)).toHaveLength(1);
    expect(Math.max(x, y)).toBeGreaterThan(9_000);
    expect(Math.max(x, y)).toBeLessThanOrEqual(10_000);
  });

  it("counts distinct ids in a window across replicas", async () => {
    const now = Date.now();
    expect(await a.countInWindow("mass:acme:process", ["i1", "i2", "i3"], 60_000, now)).toBe(3);
    expect(await b.countInWindow("mass:acme:process", ["i3", "i4"], 60_000, now + 1)).toBe(4);
    // Past the window they are gone.
    expect(await a.countInWindow("mass:acme:process", ["i5"], 60_000, now + 60_002)).toBe(1);
  });

  it("one pending confirmation per binding; the first answer wins; only one call takes it", async () => {
    const now = Date.now();
    const p = (id: string): PendingConfirmation => ({ id, binding: "bind-1", channel: "page", expiresAt: now + 60_000, data: "{}" });
    const [first, second] = await Promise.all([a.openPending(p("id-a"), now), b.openPending(p("id-b"), now)]);
    expect(first.id).toBe(second.id);
    expect(await b.findPending({ binding: "bind-1" }, now)).toMatchObject({ id: first.id });
    expect(await a.takeAnswered("bind-1", now)).toBeUndefined();
    const answers = await Promise.all([
      a.answerPending(first.id, { confirmed: true }, now),
      b.answerPending(first.id, { confirmed: false, reason: "declined", why: "no" }, now),
    ]);
    expect(answers.filter(Boolean)).toHaveLength(1);
    const taken = await Promise.all([a.takeAnswered("bind-1", now), b.takeAnswered("bind-1", now)]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect(await a.findPending({ id: first.id }, now)).toBeUndefined();
  });

  it("says the store is unavailable instead of guessing when Redis is down", async () => {
    await redis.stop();
    try {
      await new Promise((r) => setTimeout(r, 100));
      await expect(a.spend("code-2", 10_000, Date.now())).rejects.toBeInstanceOf(StoreUnavailable);
      await expect(b.startCooldown("sync:acme:2", 10_000, Date.now())).rejects.toThrow(/shared store \(Redis at .*\) could not be used for a cooldown check/);
    } finally {
      await redis.start();
    }
  });
});

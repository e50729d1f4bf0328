// The request budget (rate-limiter-flexible): calls wait for room (the plan keeps any span within the limit), and on Redis
// every replica draws on one budget. Grants are checked against the budget counted from the start: load only delays them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planBudget } from "../../src/isc/budget-plan.js";
import { createRateLimiter } from "../../src/isc/rate-budget.js";
import { fallbackLimit, redisStore } from "../../src/isc/rate-budget-redis.js";
import { createLogger } from "../../src/core/log.js";
import { connectRedis, type RedisLink } from "../../src/isc/redis.js";
import { describeWithRedis, startRedisServer, type RedisServer } from "../support/redis-server.js";
import { soonerThanBudget } from "../support/busiest-span.js";
import { until } from "../support/until.js";

describe("budget plan", () => {
  it("holds every limit from 1 to 200 in the worst case the fixed windows allow", () => {
    for (let limit = 1; limit <= 200; limit++) {
      const { points, durationSeconds: d } = planBudget(limit, 10);
      // Worst case: one window's last P-1 requests at its end, then windows opening back to back, each full at once.
      const worst = Math.ceil(10 / d) * points + (points - 1);
      expect(worst, `limit ${limit}`).toBeLessThanOrEqual(limit);
      expect(points).toBeGreaterThanOrEqual(1);
    }
    expect(planBudget(95, 10)).toEqual({ points: 16, durationSeconds: 2 });
    expect(planBudget(10, 10)).toEqual({ points: 1, durationSeconds: 1 });
  });

  it("in memory: a burst of 16 calls with a limit of 10 per 2 s: the 11th waits for the next 2 s", async () => {
    const limiter = createRateLimiter(10, 2_000);
    const times: number[] = [];
    const start = Date.now();
    await Promise.all(Array.from({ length: 16 }, () => limiter.acquire().then(() => times.push(Date.now()))));
    expect(times).toHaveLength(16);
    expect(soonerThanBudget(times, start, 10, 2_000)).toEqual([]);
  }, 20_000);
});

describeWithRedis("budget on Redis", () => {
  let redis: RedisServer;
  let links: RedisLink[] = [];
  const link = async () => {
    const l = await connectRedis({ url: redis.url, log: createLogger("silent") });
    links.push(l);
    return l;
  };
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(links.map((l) => l.close()));
    links = [];
    await redis?.stop();
  });

  it("three replicas share one budget per key: 12 acquisitions at limit 5 per 2 s, no more than 5 per 2 s together", async () => {
    const replicas = await Promise.all(
      [1, 2, 3].map(async () =>
        createRateLimiter(5, 2_000, { key: "acme|client-a|v2025", store: redisStore(await link()) }),
      ),
    );
    const other = createRateLimiter(5, 2_000, { key: "acme|client-b|v2025", store: redisStore(await link()) });
    const times: number[] = [];
    const otherTimes: number[] = [];
    const start = Date.now();
    await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => replicas[i % 3]!.acquire().then(() => times.push(Date.now()))),
      ...Array.from({ length: 2 }, () => other.acquire().then(() => otherTimes.push(Date.now()))),
    ]);
    expect(times).toHaveLength(12);
    // Shared, not per replica: alone, each replica would have sent its 4 at once (12 in one span).
    expect(soonerThanBudget(times, start, 5, 2_000)).toEqual([]);
    // Another client id is another budget: it did not wait behind the first, whose 6th had to wait for a new window.
    expect(Math.max(...otherTimes)).toBeLessThan([...times].sort((a, b) => a - b)[5]!);
  }, 30_000);

  it("a wait for room ends with the call's deadline", async () => {
    const limiter = createRateLimiter(1, 60_000, { key: "deadline", store: redisStore(await link()) });
    await limiter.acquire();
    await expect(limiter.acquire(AbortSignal.timeout(200))).rejects.toMatchObject({ name: "TimeoutError" });
    expect(limiter.waiting).toBe(0);
  });

  it("with Redis gone, counts locally at a quarter of the budget, and shares again once it is back", async () => {
    const l = await link();
    const limiter = createRateLimiter(8, 2_000, { key: "outage", store: redisStore(l) });
    await redis.stop();
    const times: number[] = [];
    const start = Date.now();
    await Promise.all(Array.from({ length: 4 }, () => limiter.acquire().then(() => times.push(Date.now()))));
    expect(fallbackLimit(8)).toBe(2);
    expect(soonerThanBudget(times, start, 2, 2_000)).toEqual([]);
    await redis.start();
    await until(() => l.reachable, "the link reaches Redis again", 1_000, 50);
    await limiter.acquire();
    expect(await l.client.keys("isc-identities-mcp:budget:outage")).toEqual(["isc-identities-mcp:budget:outage"]);
  }, 20_000);
});

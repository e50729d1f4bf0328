// /healthz says whether Redis is reachable; /readyz answers 503 while it is not, and 200 again once it is back, without a restart.
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithRedis, startRedisServer, type RedisServer } from "../support/redis-server.js";
import { getJson, startReplica, startSandboxProcess, type Replica, type SandboxProcess } from "../support/replica.js";
import { until } from "../support/until.js";

describeWithRedis("health and readiness with --redis-url", () => {
  let redis: RedisServer;
  let sandbox: SandboxProcess;
  let replica: Replica;
  let redisStarted: number;
  beforeAll(async () => {
    redisStarted = Date.now();
    [redis, sandbox] = await Promise.all([
      startRedisServer({ password: "health-redis-pw" }),
      startSandboxProcess(["--sandbox-identities", "20"]),
    ]);
    replica = await startReplica(
      { baseUrl: sandbox.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret },
      ["--redis-url", redis.url],
    );
  }, 30_000);
  afterAll(async () => {
    await replica?.stop();
    await Promise.all([sandbox?.stop(), redis?.stop()]);
  });

  /** The replica's /readyz answers `status` (each look is a request: 400 looks 50 ms apart, a count and not a clock). */
  const readyzAnswers = (status: number) =>
    until(async () => (await getJson(`${replica.origin}/readyz`)).status === status, `/readyz ${status}`, 400, 50);

  /** From when the replica says it tracks every confirmation it is given (ms), or undefined when it says nothing. */
  const trackedFrom = async () => {
    const from = (await getJson(`${replica.origin}/healthz`)).body.confirmationsTrackedFrom;
    return typeof from === "string" ? Date.parse(from) : undefined;
  };

  it("reports Redis, goes unready while it is down, and ready again when it is back", async () => {
    expect(await getJson(`${replica.origin}/healthz`)).toMatchObject({
      status: 200,
      body: { status: "ok", redis: "reachable" },
    });
    // Redis started just before the replica: confirmations are tracked from its start plus the 5 s clock-skew margin.
    const firstTracked = await trackedFrom();
    expect(firstTracked).toBeGreaterThanOrEqual(redisStarted + 5_000);
    // And never from a start in the future (not a time budget: the replica dated it by its clock before answering).
    expect(firstTracked).toBeLessThanOrEqual(Date.now() + 5_000);
    expect(await getJson(`${replica.origin}/readyz`)).toMatchObject({
      status: 200,
      body: { status: "ready", redis: "reachable" },
    });

    await redis.stop();
    await readyzAnswers(503);
    expect(await getJson(`${replica.origin}/healthz`)).toMatchObject({ status: 200, body: { redis: "unreachable" } });
    expect(await trackedFrom()).toBeUndefined();
    // Reads go on under the local share of the budget.
    const read = await replica.call("list_identities", { limit: 2 });
    expect(read.isError).toBeFalsy();
    await replica.call("list_identities", { limit: 2 });
    const warnings = replica.cli
      .stderr()
      .split("\n")
      .filter((l) => l.includes("is unreachable"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /warn: Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ is unreachable.*reads go on under a local limit of 23 requests per 10 s/,
    );
    // A confirmation page cannot be looked up meanwhile: 500, and the log line names neither the page id nor a query.
    const pageId = "AbCdEfGhIjKlMnOpQrStUvWx";
    const page = await fetch(`${replica.origin}/confirm/${pageId}?code=secret-code&state=s1`);
    expect(page.status).toBe(500);
    await page.text();
    expect(replica.cli.stderr()).toMatch(/error: HTTP GET \/confirm\/…: /);
    expect(replica.cli.stderr()).not.toContain(pageId);
    expect(replica.cli.stderr()).not.toContain("secret-code");

    const restarted = Date.now();
    await redis.start();
    await readyzAnswers(200);
    // Whatever was spent before the outage may be lost: tracked again only from the return, plus the margin.
    expect(await trackedFrom()).toBeGreaterThanOrEqual(restarted + 5_000);
    expect(replica.cli.stderr()).toMatch(/is reachable again: shared state resumed/);
    expect(replica.cli.stderr()).not.toContain("health-redis-pw");
    expect(replica.cli.child.exitCode).toBeNull();
  }, 40_000);
});

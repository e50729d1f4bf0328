// 429 storms through a real MCP client: waits within the cap succeed, anything more is a bounded, clear "retry after N s".
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { apiRequests } from "../support/tool-calls.js";
import { lastAudit } from "../support/guard-helpers.js";
import { virtualClock, type VirtualClock } from "../support/virtual-clock.js";
import { until } from "../support/until.js";

let h: Harness;
// The waits run on a virtual clock: what was waited is asserted from `clock.slept`, and no test waits in real time.
let clock: VirtualClock;
afterEach(async () => {
  await h?.close();
});
const start = async (opts: Parameters<typeof startHarness>[0] = {}, manual = false) => {
  clock = virtualClock({ manual });
  h = await startHarness({ clock, ...opts });
};

describe("429 storms", () => {
  it("20 concurrent calls each meet a 429 with Retry-After: 1, wait it out and all succeed", async () => {
    // The 40 requests go at once: the request budget (16 per 2 s) would pace them (see rate-budget.test.ts).
    await start({ config: { rateLimit: 0 } }, true);
    const ids = [...h.sandbox.state.identities.keys()].slice(0, 20);
    h.sandbox.inject({ path: /^\/v2025\/identities\/[^/]+$/, status: 429, retryAfter: 1, count: 20 });
    const calls = Promise.all(ids.map((identityId) => h.call("get_identity", { identityId })));
    // Every call met its 429 and waits the second it was told to; none has gone again before that second passes.
    await until(() => clock.sleeping === 20, "20 calls waiting out Retry-After");
    clock.advance(999);
    await new Promise((r) => setImmediate(r));
    expect(clock.sleeping).toBe(20);
    clock.advance(1);
    const results = await calls;
    expect(clock.slept).toEqual(Array(20).fill(1_000));
    results.forEach((r, i) => {
      expect(r.isError).toBeFalsy();
      expect((r.structuredContent as { identity: { id: string } }).identity.id).toBe(ids[i]);
    });
    const statuses = apiRequests(h.sandbox).map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
  });

  it("a storm that outlasts the retries ends in a clear error after exactly 4 attempts, and nothing follows", async () => {
    await start();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /^\/v2025\/identities\//, status: 429, retryAfter: 1, count: 1_000 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/HTTP 429/);
    expect(textOf(res)).toMatch(/rate limiting this client: retry after 1 s\./);
    // Three waits of 1 s each: honoured, but only three, and no fourth is under way.
    expect(clock.slept).toEqual([1_000, 1_000, 1_000]);
    expect(apiRequests(h.sandbox)).toHaveLength(4);
    await new Promise((r) => setImmediate(r));
    expect(apiRequests(h.sandbox)).toHaveLength(4);
    expect(clock.slept).toHaveLength(3);
  });

  it("a 429 without Retry-After backs off a bounded number of times and suggests a wait", async () => {
    await start({ argv: ["--retry-backoff", "300"] });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /^\/v2025\/identities\//, status: 429, count: 1_000 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/retry after \d+ s\./);
    expect(apiRequests(h.sandbox)).toHaveLength(4);
    // --retry-backoff's 300 ms, doubling.
    expect(clock.slept).toEqual([300, 600, 1_200]);
  });

  it("a Retry-After given as an HTTP date past the cap is reported in seconds, without waiting", async () => {
    await start({ config: { maxRetryAfterSeconds: 5 } });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({
      path: /^\/v2025\/identities\//,
      status: 429,
      retryAfter: new Date(clock.now() + 90_000).toUTCString(),
    });
    const res = await h.call("get_identity", { identityId: plain });
    expect(clock.slept).toEqual([]);
    const seconds = Number(/retry after (\d+) s/.exec(textOf(res))?.[1]);
    // An HTTP date has whole seconds: 89 or 90 s from the clock's now.
    expect(seconds).toBeGreaterThanOrEqual(89);
    expect(seconds).toBeLessThanOrEqual(90);
    expect(apiRequests(h.sandbox)).toHaveLength(1);
  });

  it("the call deadline bounds a storm whose waits are each within the cap", async () => {
    // Real time here: the deadline is a real timer, and the 20-s wait is real so that the deadline ends it.
    h = await startHarness({ config: { callTimeoutMs: 1_500, maxRetryAfterSeconds: 30 } });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /^\/v2025\/identities\//, status: 429, retryAfter: 20, count: 1_000 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    // Ended by the deadline during the 20-s wait (the text says where), not by the storm running out of retries.
    expect(textOf(res)).toMatch(
      /within 1\.5 s \(this call's time limit, --call-timeout\): after HTTP 429 the retry was still waiting; nothing was changed\./,
    );
    expect(apiRequests(h.sandbox)).toHaveLength(1);
  });

  it("a write that meets 429s is repeated (ISC did not run it) and happens exactly once", async () => {
    await start();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ method: "POST", path: /synchronize-attributes$/, status: 429, retryAfter: 1, count: 2 });
    const res = await h.call("synchronize_attributes_for_identity", { identityId: plain });
    expect(res.isError).toBeFalsy();
    expect(h.sandbox.state.syncs.map((s) => s.identityId)).toEqual([plain]);
    expect(
      apiRequests(h.sandbox)
        .filter((r) => r.method === "POST")
        .map((r) => r.status),
    ).toEqual([429, 429, 202]);
    expect(clock.slept).toEqual([1_000, 1_000]);
  });

  it("a write whose 429s outlast the retries fails clearly, changes nothing and is audited as failed", async () => {
    await start();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ method: "POST", path: "/v2025/identities/process", status: 429, retryAfter: 0, count: 1_000 });
    const res = await h.call("start_identity_processing", { identityIds: [plain] });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(
      /^start_identity_processing failed\. ISC answered POST \/v2025\/identities\/process with HTTP 429/,
    );
    expect(textOf(res)).toMatch(/retry after 0 s/);
    expect(h.sandbox.state.processed).toHaveLength(0);
    expect(apiRequests(h.sandbox).filter((r) => r.method === "POST")).toHaveLength(4);
    expect(lastAudit(h)).toMatchObject({
      tool: "start_identity_processing",
      outcome: "failed",
      reason: "rate_limited",
      httpStatus: 429,
    });
  });
});

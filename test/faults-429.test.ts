// 429 storms through a real MCP client: waits within the cap succeed, anything more is a bounded, clear "retry after N s".
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures } from "../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "./support/harness.js";
import { apiRequests } from "./support/tool-calls.js";
import { lastAudit } from "./support/guard-helpers.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("429 storms", () => {
  it("20 concurrent calls each meet a 429 with Retry-After: 1, wait it out and all succeed", async () => {
    h = await startHarness();
    const ids = [...h.sandbox.state.identities.keys()].slice(0, 20);
    h.sandbox.inject({ path: /^\/v2025\/identities\/[^/]+$/, status: 429, retryAfter: 1, count: 20 });
    const started = Date.now();
    const results = await Promise.all(ids.map((identityId) => h.call("get_identity", { identityId })));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    results.forEach((r, i) => {
      expect(r.isError).toBeFalsy();
      expect((r.structuredContent as { identity: { id: string } }).identity.id).toBe(ids[i]);
    });
    const statuses = apiRequests(h.sandbox).map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
  });

  it("a storm that outlasts the retries ends in a clear error after exactly 4 attempts, and nothing follows", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /^\/v2025\/identities\//, status: 429, retryAfter: 1, count: 1_000 });
    const started = Date.now();
    const res = await h.call("get_identity", { identityId: plain });
    const elapsed = Date.now() - started;
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/HTTP 429/);
    expect(textOf(res)).toMatch(/rate limiting this client: retry after 1 s\./);
    // Three waits of 1 s each: honoured, but only three.
    expect(elapsed).toBeGreaterThanOrEqual(3_000);
    expect(elapsed).toBeLessThan(10_000);
    expect(apiRequests(h.sandbox)).toHaveLength(4);
    await sleep(1_500);
    expect(apiRequests(h.sandbox)).toHaveLength(4);
  });

  it("a 429 without Retry-After backs off a bounded number of times and suggests a wait", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /^\/v2025\/identities\//, status: 429, count: 1_000 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/retry after \d+ s\./);
    expect(apiRequests(h.sandbox)).toHaveLength(4);
  });

  it("a Retry-After given as an HTTP date past the cap is reported in seconds, without waiting", async () => {
    h = await startHarness({ config: { maxRetryAfterSeconds: 5 } });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /^\/v2025\/identities\//, status: 429, retryAfter: new Date(Date.now() + 90_000).toUTCString() });
    const started = Date.now();
    const res = await h.call("get_identity", { identityId: plain });
    expect(Date.now() - started).toBeLessThan(3_000);
    const seconds = Number(/retry after (\d+) s/.exec(textOf(res))?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(85);
    expect(seconds).toBeLessThanOrEqual(91);
    expect(apiRequests(h.sandbox)).toHaveLength(1);
  });

  it("the call deadline bounds a storm whose waits are each within the cap", async () => {
    h = await startHarness({ config: { callTimeoutMs: 1_500, maxRetryAfterSeconds: 30 } });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /^\/v2025\/identities\//, status: 429, retryAfter: 20, count: 1_000 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    // Ended by the deadline during the 20-s wait (the text says where), not by the storm running out of retries.
    expect(textOf(res)).toMatch(/within 1\.5 s \(this call's time limit, --call-timeout\): after HTTP 429 the retry was still waiting; nothing was changed\./);
    expect(apiRequests(h.sandbox)).toHaveLength(1);
  });

  it("a write that meets 429s is repeated (ISC did not run it) and happens exactly once", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ method: "POST", path: /synchronize-attributes$/, status: 429, retryAfter: 1, count: 2 });
    const res = await h.call("synchronize_attributes_for_identity", { identityId: plain });
    expect(res.isError).toBeFalsy();
    expect(h.sandbox.state.syncs.map((s) => s.identityId)).toEqual([plain]);
    expect(apiRequests(h.sandbox).filter((r) => r.method === "POST").map((r) => r.status)).toEqual([429, 429, 202]);
  });

  it("a write whose 429s outlast the retries fails clearly, changes nothing and is audited as failed", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ method: "POST", path: "/v2025/identities/process", status: 429, retryAfter: 0, count: 1_000 });
    const res = await h.call("start_identity_processing", { identityIds: [plain] });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/^start_identity_processing failed\. ISC answered POST \/v2025\/identities\/process with HTTP 429/);
    expect(textOf(res)).toMatch(/retry after 0 s/);
    expect(h.sandbox.state.processed).toHaveLength(0);
    expect(apiRequests(h.sandbox).filter((r) => r.method === "POST")).toHaveLength(4);
    expect(lastAudit(h)).toMatchObject({ tool: "start_identity_processing", outcome: "failed", reason: "rate_limited", httpStatus: 429 });
  });
});

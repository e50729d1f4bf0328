// 5xx answers and dropped connections: reads retry a bounded number of times, writes never repeat and say how to check.
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { apiRequests, READ_TOOLS, validCalls } from "../support/tool-calls.js";
import { lastAudit } from "../support/guard-helpers.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls each read tool once without faults: its own ISC path and its healthy result. */
async function healthyCalls(hh: Harness, calls: Map<string, Record<string, unknown>>) {
  const pathOf = new Map<string, string>();
  const baseline = new Map<string, unknown>();
  for (const tool of READ_TOOLS) {
    hh.sandbox.clearRequests();
    const res = await hh.call(tool, calls.get(tool)!);
    expect(res.isError, tool).toBeFalsy();
    baseline.set(tool, res.structuredContent);
    pathOf.set(tool, apiRequests(hh.sandbox).at(-1)!.path);
  }
  // Distinct paths, so per-path counts below cannot mix tools up.
  expect(new Set(pathOf.values()).size).toBe(READ_TOOLS.length);
  return { pathOf, baseline };
}

describe("reads under 5xx and connection resets", () => {
  it("every read tool, called concurrently, survives two dropped connections in a row and returns the right data", async () => {
    h = await startHarness({ sandbox: { identities: 60 } });
    const calls = validCalls(h.sandbox);
    const { pathOf, baseline } = await healthyCalls(h, calls);
    h.sandbox.clearRequests();
    for (const tool of READ_TOOLS) h.sandbox.inject({ method: "GET", path: pathOf.get(tool)!, reset: true, count: 2 });
    const results = await Promise.all(READ_TOOLS.map((tool) => h.call(tool, calls.get(tool)!)));
    READ_TOOLS.forEach((tool, i) => {
      expect(results[i]!.isError, `${tool}: ${textOf(results[i]!)}`).toBeFalsy();
      expect(results[i]!.structuredContent, tool).toEqual(baseline.get(tool));
      expect(
        apiRequests(h.sandbox)
          .filter((r) => r.path === pathOf.get(tool))
          .map((r) => r.status),
        tool,
      ).toEqual([0, 0, 200]);
    });
  });

  it.each([500, 502, 503, 504])(
    "every read tool, called concurrently, gives up after 4 attempts of HTTP %i with a clear error",
    async (status) => {
      h = await startHarness({ sandbox: { identities: 60 } });
      const calls = validCalls(h.sandbox);
      const { pathOf } = await healthyCalls(h, calls);
      h.sandbox.clearRequests();
      h.sandbox.inject({ method: "GET", status, count: 1_000 });
      const results = await Promise.all(READ_TOOLS.map((tool) => h.call(tool, calls.get(tool)!)));
      READ_TOOLS.forEach((tool, i) => {
        const text = textOf(results[i]!);
        expect(results[i]!.isError, tool).toBe(true);
        expect(text).toMatch(
          new RegExp(`^${tool} failed\\. ISC answered GET /v2025/(identities|task-status)\\S* with HTTP ${status}`),
        );
        expect(text).toMatch(/ISC trackingId: [0-9a-f]{32}/);
        expect(text).toMatch(/Next step: ISC failed: retry in a little while\./);
        expect(
          apiRequests(h.sandbox).filter((r) => r.path === pathOf.get(tool)),
          tool,
        ).toHaveLength(4);
      });
      expect(apiRequests(h.sandbox)).toHaveLength(4 * READ_TOOLS.length);
    },
  );

  it("a connection that keeps dropping ends in a network error after 4 attempts, and nothing follows", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ reset: true, path: /^\/v2025\//, count: 1_000 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(
      /^get_identity failed\. Could not reach ISC for GET \/v2025\/identities\/[0-9a-f]{32} \(.+\)\./,
    );
    expect(textOf(res)).toMatch(/Next step: Retry the call; if it keeps failing, ISC may be unavailable\./);
    expect(apiRequests(h.sandbox)).toHaveLength(4);
    await sleep(1_000);
    expect(apiRequests(h.sandbox)).toHaveLength(4);
  });

  it("a listing that pages through a flaky connection still returns every identity once", async () => {
    h = await startHarness({ sandbox: { identities: 700 } });
    h.sandbox.inject({ path: "/v2025/identities", reset: true, count: 1 });
    h.sandbox.inject({ path: "/v2025/identities", status: 503, count: 1 });
    const res = await h.call("list_identities", { maxItems: 700, defaultFilter: "NONE" });
    expect(res.isError).toBeFalsy();
    const items = (res.structuredContent as { items: Array<{ id: string }> }).items;
    expect(new Set(items.map((i) => i.id)).size).toBe(700);
  });
});

describe("writes under 5xx and connection resets", () => {
  it("a POST that meets HTTP 500 is sent once and the error says it may or may not have happened", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ method: "POST", path: /synchronize-attributes$/, status: 500, count: 5 });
    const res = await h.call("synchronize_attributes_for_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/HTTP 500/);
    expect(textOf(res)).toMatch(
      /Next step: ISC failed: the action may or may not have happened\. Check with get_identity before calling again\./,
    );
    expect(apiRequests(h.sandbox).filter((r) => r.method === "POST")).toHaveLength(1);
    expect(lastAudit(h)).toMatchObject({ outcome: "failed", reason: "http", httpStatus: 500 });
  });

  it("a POST whose connection drops is sent once and the error says how to check", async () => {
    h = await startHarness();
    const { plain, owner } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ method: "POST", path: "/v2025/identities/process", reset: true, count: 5 });
    const res = await h.call("start_identity_processing", { identityIds: [plain, owner] });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/Could not reach ISC for POST \/v2025\/identities\/process/);
    // Process is checked with its own read, not get_identity of one identity.
    expect(textOf(res)).toMatch(
      /The action may or may not have happened: check with get_identity on the identities in a few minutes \(processingState, roles, access\) before calling again\./,
    );
    expect(apiRequests(h.sandbox).filter((r) => r.method === "POST")).toHaveLength(1);
    expect(h.sandbox.state.processed).toHaveLength(0);
    expect(lastAudit(h)).toMatchObject({ outcome: "failed", reason: "network" });
  });

  it("a POST whose answer breaks off after its 2xx head reads as done (ISC acted), never as 'could not reach ISC'", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ method: "POST", path: /synchronize-attributes$/, stallBodyAfterBytes: 5, reset: true });
    const res = await h.call("synchronize_attributes_for_identity", { identityId: plain });
    expect(res.isError).toBeFalsy();
    expect(textOf(res)).toMatch(/^synchronize_attributes_for_identity was done: ISC accepted the request\./);
    expect(textOf(res)).toMatch(
      /ISC answered POST \/v2025\/identities\/[0-9a-f]{32}\/synchronize-attributes with HTTP 202, but the connection broke while the rest of its answer arrived/,
    );
    expect(h.sandbox.state.syncs.map((s) => s.identityId)).toEqual([plain]);
    expect(lastAudit(h)).toMatchObject({ outcome: "executed", httpStatus: 202, reason: "answer-cut-off" });
  });

  it("a read whose answer breaks off half-way says what happened, not that this is a bug", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({
      method: "GET",
      path: `/v2025/identities/${plain}`,
      stallBodyAfterBytes: 5,
      reset: true,
      count: 10,
    });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(
      new RegExp(
        `^get_identity failed\\. ISC answered GET /v2025/identities/${plain} with HTTP 200, but the connection broke while the rest of its answer arrived \\(`,
      ),
    );
    expect(textOf(res)).not.toMatch(/internal error|This is a bug/);
    expect(textOf(res)).toMatch(/Next step: Retry the call; if it keeps failing, ISC may be unavailable\./);
  });

  it("a DELETE that meets HTTP 503 after the human confirmed is not repeated", async () => {
    h = await startHarness({ onElicit: () => ({ action: "accept", content: { name: name() } }) });
    const { plain } = pickFixtures(h.sandbox.state);
    const name = () => h.sandbox.state.identities.get(plain)!.name;
    h.sandbox.inject({ method: "DELETE", status: 503, count: 5 });
    const res = await h.call("delete_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/HTTP 503/);
    expect(textOf(res)).toMatch(/may or may not have happened/);
    expect(apiRequests(h.sandbox).filter((r) => r.method === "DELETE")).toHaveLength(1);
    expect(h.sandbox.state.identities.has(plain)).toBe(true);
  });
});

// A slow upstream: past the per-request timeout, past the per-call deadline; clear errors, no hanging calls, a CLI that still exits.
import { afterEach, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { pickFixtures } from "../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "./support/harness.js";
import { apiRequests, READ_TOOLS, validCalls } from "./support/tool-calls.js";
import { initialize, serveTenant, spawnCli, type ServedTenant } from "./support/cli-process.js";

let h: Harness | undefined;
let tenant: ServedTenant | undefined;
afterEach(async () => {
  await h?.close();
  await tenant?.served.close();
  h = undefined;
  tenant = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("slow upstream, in process", () => {
  it("every read tool, called concurrently, times out each attempt it makes and says so", async () => {
    h = await startHarness({ sandbox: { identities: 60 }, config: { requestTimeoutMs: 250 } });
    const calls = validCalls(h.sandbox);
    h.sandbox.inject({ method: "GET", path: /^\/v2025\//, delayMs: 5_000, count: 1_000 });
    const started = Date.now();
    const results = await Promise.all(READ_TOOLS.map((tool) => h!.call(tool, calls.get(tool)!)));
    expect(Date.now() - started).toBeLessThan(4_000);
    READ_TOOLS.forEach((tool, i) => {
      expect(results[i]!.isError, tool).toBe(true);
      expect(textOf(results[i]!)).toMatch(new RegExp(`^${tool} failed\\. ISC did not answer GET /v2025/(identities|task-status)\\S* within 250 ms\\.`));
      expect(textOf(results[i]!)).toMatch(/Next step: Retry the call; if it keeps failing, ISC may be unavailable\./);
    });
    // A timed-out attempt is not repeated, and the sandbox saw the client give up (no response was ever sent).
    expect(apiRequests(h.sandbox)).toHaveLength(READ_TOOLS.length);
    await sleep(200);
    expect(apiRequests(h.sandbox).every((r) => r.status === 0)).toBe(true);
  });

  it("a slow write times out once, is not repeated, and says the action may or may not have happened", async () => {
    h = await startHarness({ config: { requestTimeoutMs: 250 } });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ method: "POST", path: /^\/v2025\//, delayMs: 5_000, count: 1_000 });
    const res = await h.call("synchronize_attributes_for_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/did not answer POST \/v2025\/identities\/[0-9a-f]{32}\/synchronize-attributes within 250 ms/);
    expect(textOf(res)).toMatch(/The action may or may not have happened: check the identity with get_identity before calling again\./);
    expect(apiRequests(h.sandbox).filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("the deadline ends a paging call whose pages are each within the request timeout", async () => {
    h = await startHarness({ sandbox: { identities: 2_000 }, config: { requestTimeoutMs: 1_000, callTimeoutMs: 1_200 } });
    h.sandbox.inject({ path: "/v2025/identities", delayMs: 500, count: 1_000 });
    const started = Date.now();
    const res = await h.call("list_identities", { maxItems: 2_000, defaultFilter: "NONE" });
    const elapsed = Date.now() - started;
    expect(res.isError, textOf(res).slice(0, 300)).toBe(true);
    expect(textOf(res)).toMatch(/^list_identities failed\. The tool call ran out of time during GET \/v2025\/identities\./);
    expect(elapsed).toBeGreaterThanOrEqual(1_150);
    expect(elapsed).toBeLessThan(4_000);
    const seen = apiRequests(h.sandbox).length;
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(seen).toBeLessThanOrEqual(3);
    await sleep(800);
    expect(apiRequests(h.sandbox)).toHaveLength(seen);
  });

  it("a call waiting out a 429 still stops at its deadline, and the next call works", async () => {
    h = await startHarness({ config: { callTimeoutMs: 800 } });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /^\/v2025\/identities\//, status: 429, retryAfter: 25 });
    const started = Date.now();
    const res = await h.call("get_identity", { identityId: plain });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(textOf(res)).toMatch(/ran out of time/);
    expect((await h.call("get_identity", { identityId: plain })).isError).toBeFalsy();
  });
});

describe("slow upstream, built CLI", () => {
  it.each([
    ["the request timeout", ["--request-timeout", "300"], /within 300 ms/],
    ["the call deadline", ["--call-timeout", "400"], /ran out of time/],
  ])("answers a call that hit %s, then exits 0 promptly once stdin closes", async (_label, flags, expected) => {
    tenant = await serveTenant();
    const { plain } = pickFixtures(tenant.sandbox.state);
    const cli = spawnCli(["--log-level", "warn", ...flags], tenant.env);
    initialize(cli);
    await cli.response(0);
    tenant.sandbox.inject({ path: /^\/v2025\//, delayMs: 30_000, count: 1_000 });
    cli.send({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "get_identity", arguments: { identityId: plain } } });
    const answer = (await cli.response(1)).result as CallToolResult;
    expect(answer.isError).toBe(true);
    expect(textOf(answer)).toMatch(expected);
    const closedAt = Date.now();
    cli.child.stdin!.end();
    const exit = await cli.exited;
    expect(exit.code).toBe(0);
    expect(exit.at - closedAt).toBeLessThan(3_000);
    expect(cli.stderr()).not.toMatch(/Error|at .*\.js:\d+/);
  });
});

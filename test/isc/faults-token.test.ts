// The token endpoint failing (5xx, bad credentials, garbage) and tokens expiring mid-burst, seen through a real MCP client.
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { apiRequests, tokenRequests } from "../support/tool-calls.js";
import { virtualClock } from "../support/virtual-clock.js";
import { until } from "../support/until.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const NAMES_CREDENTIALS = /Check SAIL_CLIENT_ID and SAIL_CLIENT_SECRET/;
// Only a 400/401 from the token endpoint is blamed on the credentials; the rest names where the server points or the network.
const NAMES_BASE_URL = /Check SAIL_BASE_URL: it must be the tenant's API root/;
const NAMES_NETWORK = /Check SAIL_BASE_URL and that this machine can reach it/;
const NOT_RETRYABLE = /Next step: The server's credentials need fixing by whoever runs it; retrying will not help\./;
// With --request-timeout 250 (the config these tests set): the token endpoint named, with its host and the limit.
const TOKEN_TIMED_OUT =
  /The token endpoint http:\/\/127\.0\.0\.1:\d+\/oauth\/token did not answer within 250 ms \(127\.0\.0\.1:\d+, timeout/;
const RETRY_LATER =
  /Next step: Nothing was sent to ISC\. Retry in a little while; if it keeps failing, whoever runs the server should check SAIL_BASE_URL and the credentials\./;

describe("token endpoint failures", () => {
  it("HTTP 500 from the token endpoint: a clear error that does not blame the credentials, then recovery", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: "/oauth/token", status: 500, count: 1_000 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(
      /^get_identity failed\. The token endpoint http:\/\/127\.0\.0\.1:\d+\/oauth\/token failed with HTTP 500: "An internal fault occurred\."\. ISC's token service failed; this is not about the credentials\./,
    );
    expect(textOf(res)).not.toMatch(NAMES_CREDENTIALS);
    expect(textOf(res)).toMatch(RETRY_LATER);
    // A token request is retried once; the API call itself waits for a token and does not multiply that.
    expect(tokenRequests(h.sandbox)).toHaveLength(2);
    expect(apiRequests(h.sandbox)).toHaveLength(0);

    h.sandbox.clearFaults();
    const again = await h.call("get_identity", { identityId: plain });
    expect(again.isError).toBeFalsy();
    expect((again.structuredContent as { identity: { id: string } }).identity.id).toBe(plain);
  });

  it("HTTP 401 for bad credentials: rejected once, no retry storm, then recovery when they are fixed", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({
      path: "/oauth/token",
      status: 401,
      body: JSON.stringify({ error: "invalid_client", error_description: "Bad client credentials" }),
      count: 1_000,
    });
    const res = await h.call("list_identities", { limit: 1 });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/rejected the client credentials: "Bad client credentials"\./);
    expect(textOf(res)).toMatch(NAMES_CREDENTIALS);
    expect(textOf(res)).toMatch(NOT_RETRYABLE);
    expect(tokenRequests(h.sandbox)).toHaveLength(1);

    h.sandbox.clearFaults();
    const again = await h.call("get_identity", { identityId: plain });
    expect(again.isError).toBeFalsy();
  });

  it("a token endpoint that answers with something that is not JSON", async () => {
    h = await startHarness();
    h.sandbox.inject({ path: "/oauth/token", body: "<html>gateway says hi</html>", count: 1_000 });
    const res = await h.call("list_identities", { limit: 1 });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/answered with a body that is not JSON\./);
    expect(textOf(res)).toMatch(NAMES_BASE_URL);
    expect(textOf(res)).not.toMatch(NAMES_CREDENTIALS);
    expect(textOf(res)).toMatch(RETRY_LATER);
    h.sandbox.clearFaults();
    expect((await h.call("list_identities", { limit: 1 })).isError).toBeFalsy();
  });

  it.each([
    ["JSON without access_token", JSON.stringify({ token_type: "bearer", expires_in: 720 })],
    ["an empty access_token", JSON.stringify({ access_token: "", expires_in: 720 })],
    ["a JSON array", "[]"],
    ["JSON null", "null"],
  ])("a token endpoint that answers %s", async (_label, body) => {
    h = await startHarness();
    h.sandbox.inject({ path: "/oauth/token", body, count: 1_000 });
    const res = await h.call("list_identities", { limit: 1 });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/answered without an access_token\./);
    expect(textOf(res)).toMatch(NAMES_BASE_URL);
    expect(apiRequests(h.sandbox)).toHaveLength(0);
  });

  it("a token endpoint that drops the connection: one retry, a clear error, recovery", async () => {
    h = await startHarness();
    h.sandbox.inject({ path: "/oauth/token", reset: true, count: 1_000 });
    const res = await h.call("list_identities", { limit: 1 });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(
      /Could not reach the token endpoint http:\/\/127\.0\.0\.1:\d+\/oauth\/token: 127\.0\.0\.1:\d+ closed the connection without answering/,
    );
    expect(textOf(res)).toMatch(NAMES_NETWORK);
    expect(textOf(res)).not.toMatch(NAMES_CREDENTIALS);
    expect(textOf(res)).toMatch(RETRY_LATER);
    expect(tokenRequests(h.sandbox)).toHaveLength(2);
    h.sandbox.clearFaults();
    expect((await h.call("list_identities", { limit: 1 })).isError).toBeFalsy();
  });

  it("a token endpoint slower than the request timeout, on a write: nothing was sent, so no 'may have happened'", async () => {
    h = await startHarness({ config: { requestTimeoutMs: 250 } });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: "/oauth/token", delayMs: 3_000, count: 1_000 });
    const res = await h.call("synchronize_attributes_for_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(TOKEN_TIMED_OUT);
    expect(textOf(res)).toMatch(RETRY_LATER);
    expect(textOf(res)).not.toMatch(/may or may not have happened/);
    expect(apiRequests(h.sandbox)).toHaveLength(0);
  });

  it("a token answer whose body stops half-way ends at the request timeout, and the next call gets a token at once", async () => {
    // The call's own limit is far off: what ends the refresh must be its own bound, not the call's deadline.
    h = await startHarness({ config: { requestTimeoutMs: 250 }, argv: ["--call-timeout", "600000"] });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: "/oauth/token", stallBodyAfterBytes: 5, count: 1 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(TOKEN_TIMED_OUT);
    expect(textOf(res)).toMatch(RETRY_LATER);
    expect(apiRequests(h.sandbox)).toHaveLength(0);
    // The shared refresh is over: the next call asks for a token of its own and gets it.
    expect((await h.call("get_identity", { identityId: plain })).isError).toBeFalsy();
    expect(tokenRequests(h.sandbox).map((r) => r.status)).toEqual([200, 200]);
  });

  it("concurrent calls during a token outage share the failing token requests instead of each making their own", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: "/oauth/token", status: 401, count: 1_000 });
    const results = await Promise.all(Array.from({ length: 10 }, () => h.call("get_identity", { identityId: plain })));
    expect(results.every((r) => r.isError && NAMES_CREDENTIALS.test(textOf(r)))).toBe(true);
    expect(tokenRequests(h.sandbox)).toHaveLength(1);
  });
});

describe("token expiry in the middle of a burst", () => {
  it("30 concurrent calls whose token was revoked cause exactly one refresh, and all succeed", async () => {
    // The burst must reach ISC at once (the request budget would pace it: see rate-budget.test.ts).
    h = await startHarness({ config: { rateLimit: 0 } });
    const ids = [...h.sandbox.state.identities.keys()].slice(0, 30);
    await h.call("get_identity", { identityId: ids[0]! });
    expect(tokenRequests(h.sandbox)).toHaveLength(1);
    h.sandbox.expireTokens();
    const results = await Promise.all(ids.map((identityId) => h.call("get_identity", { identityId })));
    results.forEach((r, i) => {
      expect(r.isError, textOf(r)).toBeFalsy();
      expect((r.structuredContent as { identity: { id: string } }).identity.id).toBe(ids[i]);
    });
    expect(tokenRequests(h.sandbox)).toHaveLength(2);
    const burst = apiRequests(h.sandbox).slice(1);
    expect(burst.filter((r) => r.status === 401)).toHaveLength(30);
    expect(burst.filter((r) => r.status === 200)).toHaveLength(30);
  });

  it("a token whose lifetime ends during a burst of overlapping calls is renewed once, before ISC ever answers 401", async () => {
    // Tenant and client share a virtual clock; the overlap is made by holding one call's answer, not by timing.
    const clock = virtualClock();
    h = await startHarness({ sandbox: { tokenTtlSeconds: 3 }, config: { rateLimit: 0 }, clock });
    const ids = [...h.sandbox.state.identities.keys()].slice(0, 30);
    await h.call("get_identity", { identityId: ids[0]! });
    // The client renews at 90% of the lifetime (2.7 s). At 2.6 s a call goes out with the old token and ISC holds its answer.
    clock.advance(2_600);
    let answer!: () => void;
    h.sandbox.inject({ path: `/v2025/identities/${ids[1]!}`, hold: new Promise<void>((r) => (answer = r)) });
    const held = h.call("get_identity", { identityId: ids[1]! });
    await until(() => apiRequests(h.sandbox).length === 2, "the held call reached ISC");
    // Past 2.7 s, the rest of the burst: one renewal, shared, while the held call is still in flight with the old token.
    clock.advance(200);
    const burst = await Promise.all(ids.slice(2).map((identityId) => h.call("get_identity", { identityId })));
    const [first, inFlight] = apiRequests(h.sandbox);
    expect(inFlight!.status, "the held call had no answer yet when the token was renewed").toBe(0);
    answer();
    const results = [await held, ...burst];
    expect(results.every((r) => !r.isError)).toBe(true);
    expect(tokenRequests(h.sandbox)).toHaveLength(2);
    expect(apiRequests(h.sandbox).every((r) => r.status === 200)).toBe(true);
    const oldToken = first!.headers.authorization;
    expect(inFlight!.headers.authorization).toBe(oldToken);
    // The new token was used only after it was issued, by every call that came after the renewal.
    const renewal = h.sandbox.requests.indexOf(tokenRequests(h.sandbox)[1]!);
    const after = apiRequests(h.sandbox).slice(2);
    expect(after).toHaveLength(28);
    expect(new Set(after.map((r) => r.headers.authorization)).size).toBe(1);
    expect(after[0]!.headers.authorization).not.toBe(oldToken);
    expect(after.every((r) => h.sandbox.requests.indexOf(r) > renewal)).toBe(true);
  });
});

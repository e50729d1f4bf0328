// The shared ISC client: tokens, headers, retries, timeouts and path safety, seen from the sandbox's request log.
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { IscError } from "../../src/core/errors.js";
import { createTokenProvider } from "../../src/isc/auth.js";
import { apiPath } from "../../src/isc/paths.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { virtualClock } from "../support/virtual-clock.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const tokenRequests = (hh: Harness) => hh.sandbox.requests.filter((r) => r.path === "/oauth/token").length;
const apiRequests = (hh: Harness) => hh.sandbox.requests.filter((r) => r.path.startsWith("/v20"));

describe("tokens", () => {
  it("fetches one token for 50 sequential calls", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    for (let i = 0; i < 50; i++) expect((await h.call("get_identity", { identityId: plain })).isError).toBeFalsy();
    expect(tokenRequests(h)).toBe(1);
    expect(apiRequests(h)).toHaveLength(50);
  });

  it("shares one token request among 20 concurrent calls", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    const results = await Promise.all(Array.from({ length: 20 }, () => h.call("get_identity", { identityId: plain })));
    expect(results.every((r) => !r.isError)).toBe(true);
    expect(tokenRequests(h)).toBe(1);
  });

  it("refreshes the token before it expires", async () => {
    // The tenant and the client share a virtual clock: the token's second passes without waiting for it.
    const clock = virtualClock();
    h = await startHarness({ sandbox: { tokenTtlSeconds: 1 }, clock });
    const { plain } = pickFixtures(h.sandbox.state);
    await h.call("get_identity", { identityId: plain });
    clock.advance(950);
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBeFalsy();
    expect(tokenRequests(h)).toBe(2);
    // No call ever met a 401: the refresh happened before the old token ran out.
    expect(apiRequests(h).every((r) => r.status === 200)).toBe(true);
  });

  it("on a 401 refreshes once and retries once", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    await h.call("get_identity", { identityId: plain });
    h.sandbox.expireTokens();
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBeFalsy();
    expect(tokenRequests(h)).toBe(2);
    expect(apiRequests(h).map((r) => r.status)).toEqual([200, 401, 200]);
  });

  it("does not loop when ISC keeps answering 401", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /\/identities\//, status: 401, count: 5 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/HTTP 401/);
    expect(textOf(res)).toMatch(/credentials need fixing/);
    expect(apiRequests(h)).toHaveLength(2);
    expect(tokenRequests(h)).toBe(2);
  });

  it("reports bad credentials naming the variables to fix", async () => {
    h = await startHarness({ sandbox: { clientSecret: "the-real-one" } });
    const tokens = createTokenProvider({
      baseUrl: h.backend.config.baseUrl,
      clientId: "sandbox-client",
      clientSecret: "wrong",
      timeoutMs: 2_000,
    });
    const err = await tokens.getToken().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IscError);
    expect((err as IscError).message).toMatch(/rejected the client credentials/);
    expect((err as IscError).message).toMatch(/SAIL_CLIENT_ID and SAIL_CLIENT_SECRET/);
    expect((err as IscError).message).not.toContain("wrong");
  });
});

describe("headers", () => {
  it("sends the bearer token, the experimental header and the User-Agent on every request", async () => {
    h = await startHarness();
    const { plain, withRoles } = pickFixtures(h.sandbox.state);
    await h.call("list_identities", { limit: 2 });
    await h.call("get_identity", { identityId: plain });
    await h.call("get_role_assignments", { identityId: withRoles });
    await h.call("get_identity_ownership_details", { identityId: plain });
    const api = apiRequests(h);
    expect(api).toHaveLength(4);
    for (const r of api) {
      expect(r.headers.authorization).toMatch(/^Bearer \S+$/);
      expect(r.headers["x-sailpoint-experimental"]).toBe("true");
      expect(r.headers["user-agent"]).toMatch(/^isc-identities-mcp\/\d+\.\d+\.\d+/);
    }
  });
});

describe("retries", () => {
  it("waits out a 429 with Retry-After: 1 and then succeeds", async () => {
    const clock = virtualClock();
    h = await startHarness({ clock });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /\/identities\//, status: 429, retryAfter: 1 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBeFalsy();
    expect(clock.slept).toEqual([1_000]);
    expect(apiRequests(h).map((r) => r.status)).toEqual([429, 200]);
  });

  it("does not wait past the cap: says when to retry instead", async () => {
    const clock = virtualClock();
    h = await startHarness({ config: { maxRetryAfterSeconds: 2 }, clock });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /\/identities\//, status: 429, retryAfter: 30 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(clock.slept).toEqual([]);
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/retry after 30 s/);
    expect(apiRequests(h)).toHaveLength(1);
  });

  it("retries a GET on 503", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /\/identities\//, status: 503, count: 2 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBeFalsy();
    expect(apiRequests(h).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it("gives up on a GET after a bounded number of retries", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /\/identities\//, status: 500, count: 100 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/HTTP 500/);
    expect(apiRequests(h)).toHaveLength(4);
  });

  it("waits --retry-backoff before the first retry and doubles it for each further one", async () => {
    const clock = virtualClock();
    h = await startHarness({ argv: ["--retry-backoff", "150"], clock });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /\/identities\//, status: 500, count: 100 });
    await h.call("get_identity", { identityId: plain });
    const at = apiRequests(h).map((r) => r.at);
    expect(at).toHaveLength(4);
    expect(clock.slept).toEqual([150, 300, 600]);
    // Each retry went only after its wait, as the tenant's clock saw it.
    expect(at.slice(1).map((t, i) => t - at[i]!)).toEqual([150, 300, 600]);
  });

  it("never retries a POST on 500", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ method: "POST", path: /\/identities\/process$/, status: 500, count: 5 });
    const err = await h.backend.isc
      .request("POST", "identities/process", { json: { identityIds: [plain] } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IscError);
    expect((err as IscError).status).toBe(500);
    expect(apiRequests(h).filter((r) => r.method === "POST")).toHaveLength(1);
    expect(h.sandbox.state.processed).toHaveLength(0);
  });

  it("retries a POST that met a 429 (the gateway did not run it)", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ method: "POST", path: /\/identities\/process$/, status: 429, retryAfter: 0 });
    const res = await h.backend.isc.request("POST", "identities/process", { json: { identityIds: [plain] } });
    expect(res.status).toBe(202);
    expect(apiRequests(h).map((r) => r.status)).toEqual([429, 202]);
    expect(h.sandbox.state.processed).toHaveLength(1);
  });
});

describe("timeouts", () => {
  it("turns a slow answer into a clear timeout error", async () => {
    // Long enough for the undelayed token request on a loaded machine; the identity's answer never comes, so only the timeout ends it.
    h = await startHarness({ config: { requestTimeoutMs: 2_000 } });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ path: /\/identities\//, delayMs: 600_000 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(
      /did not answer GET \/v2025\/identities\/[0-9a-f]{32} within 2 s \(the request timeout, --request-timeout\); nothing was changed\./,
    );
  });

  it("stops a call at its deadline", async () => {
    h = await startHarness({ config: { callTimeoutMs: 3_000 } });
    const { plain } = pickFixtures(h.sandbox.state);
    // An answer that never comes: only the deadline can end the call.
    h.sandbox.inject({ path: /\/identities\//, delayMs: 600_000 });
    const res = await h.call("get_identity", { identityId: plain });
    expect(textOf(res)).toMatch(
      /did not answer GET \/v2025\/identities\/[0-9a-f]{32} within 3 s \(this call's time limit, --call-timeout\); nothing was changed\./,
    );
  });
});

describe("path safety", () => {
  it.each(["../../oauth/token", "a/b", "..", "%2e%2e", "id?x=1", "id#frag", " spaced", "ü"])(
    "never sends %j anywhere",
    async (id) => {
      h = await startHarness();
      const res = await h.call("get_identity", { identityId: id });
      expect(res.isError).toBe(true);
      expect(h.sandbox.requests).toHaveLength(0);
      expect(() => apiPath`identities/${id}`).toThrow(/is not a valid id/);
      expect(h.sandbox.requests).toHaveLength(0);
    },
  );
});

// Sandbox gateway behaviour: OAuth tokens, 401/404/405, rate limits, the request log and injected faults.
import { afterEach, describe, expect, test } from "vitest";
import { until } from "../support/until.js";
import {
  createSandbox,
  pickFixtures,
  serveSandbox,
  type Sandbox,
  type ServedSandbox,
} from "../../src/sandbox/index.js";
import { connect, messageOf, tokenFor } from "./sandbox-helpers.js";

const tokenRequest = (sandbox: Sandbox, init: RequestInit & { query?: string }): Promise<Response> =>
  sandbox.handler(new Request(`http://sandbox.test/oauth/token${init.query ?? ""}`, { method: "POST", ...init }));

describe("oauth tokens", () => {
  test("client credentials in the form, the query or HTTP Basic; expires_in from options", async () => {
    const sandbox = createSandbox({ identities: 10, clientId: "cid", clientSecret: "s3cret", tokenTtlSeconds: 30 });
    const form = await tokenRequest(sandbox, {
      body: "grant_type=client_credentials&client_id=cid&client_secret=s3cret",
    });
    const body = (await form.json()) as Record<string, unknown>;
    expect(form.status).toBe(200);
    expect(body).toMatchObject({ token_type: "bearer", expires_in: 30, scope: "sp:scopes:all" });
    expect(body["access_token"]).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(body["tenant_id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      (await tokenRequest(sandbox, { query: "?grant_type=client_credentials&client_id=cid&client_secret=s3cret" }))
        .status,
    ).toBe(200);
    const basic = await tokenRequest(sandbox, {
      body: "grant_type=client_credentials",
      headers: { authorization: `Basic ${Buffer.from("cid:s3cret").toString("base64")}` },
    });
    expect(basic.status).toBe(200);
  });

  test("bad credentials -> 401 invalid_client; wrong or missing grant -> 400", async () => {
    const sandbox = createSandbox({ identities: 10 });
    const bad = await tokenRequest(sandbox, {
      body: `grant_type=client_credentials&client_id=${sandbox.clientId}&client_secret=wrong`,
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: "invalid_client", error_description: "Bad client credentials" });
    const grant = await tokenRequest(sandbox, {
      body: `grant_type=password&client_id=${sandbox.clientId}&client_secret=${sandbox.clientSecret}`,
    });
    expect(grant.status).toBe(400);
    expect(((await grant.json()) as { error: string }).error).toBe("unsupported_grant_type");
    expect((await tokenRequest(sandbox, { body: "" })).status).toBe(400);
    expect((await sandbox.handler(new Request("http://sandbox.test/oauth/token"))).status).toBe(405);
  });

  test("API calls need a valid bearer token: missing, unknown, expired by the clock, expired by expireTokens", async () => {
    let clock = 1_000_000;
    const sandbox = createSandbox({ identities: 10, tokenTtlSeconds: 60, now: () => clock });
    const call = await connect(sandbox);
    expect((await call("GET", "/identities")).status).toBe(200);
    const missing = await call("GET", "/identities", { token: null });
    expect(missing.status).toBe(401);
    expect(missing.json()).toEqual({ error: "JWT validation failed: JWT is missing" });
    expect((await call("GET", "/identities", { token: "forged" })).json()).toEqual({
      error: "JWT validation failed: JWT is invalid",
    });
    clock += 59_999;
    expect((await call("GET", "/identities")).status).toBe(200);
    clock += 1;
    const expired = await call("GET", "/identities");
    expect(expired.status).toBe(401);
    expect(expired.json()).toEqual({ error: "JWT validation failed: JWT is expired" });
    const fresh = await connect(sandbox);
    expect((await fresh("GET", "/identities")).status).toBe(200);
    sandbox.expireTokens();
    expect((await fresh("GET", "/identities")).status).toBe(401);
    expect((await (await connect(sandbox))("GET", "/identities")).status).toBe(200);
  });
});

test("unknown paths -> 404 and wrong methods -> 405, as ErrorResponseDto", async () => {
  const sandbox = createSandbox({ identities: 10 });
  const call = await connect(sandbox);
  const unknown = await call("GET", "/accounts");
  expect(unknown.status).toBe(404);
  expect(unknown.json<{ detailCode: string }>().detailCode).toBe("404 Not found");
  expect((await call("GET", "/identities", { version: "v3" })).status).toBe(404);
  const put = await call("PUT", `/identities/${pickFixtures(sandbox.state).plain}`);
  expect(put.status).toBe(405);
  expect(put.headers.get("allow")).toBe("GET, DELETE");
  expect(put.json<{ detailCode: string }>().detailCode).toBe("405 Method Not Allowed");
  expect((await call("GET", "/identities/process")).status).toBe(404);
});

describe("rate limit", () => {
  test("per client id per version; 429 {message} with Retry-After in whole seconds; the token endpoint is exempt", async () => {
    let clock = 0;
    const sandbox = createSandbox({ identities: 10, rateLimit: { requests: 3, windowMs: 10_000 }, now: () => clock });
    const call = await connect(sandbox);
    for (let i = 0; i < 3; i++) expect((await call("GET", "/identities?limit=1")).status).toBe(200);
    const limited = await call("GET", "/identities?limit=1");
    expect(limited.status).toBe(429);
    expect(limited.json()).toEqual({ message: "Rate Limit Exceeded" });
    expect(limited.headers.get("retry-after")).toBe("10");
    clock = 4_200;
    expect((await call("GET", "/identities")).headers.get("retry-after")).toBe("6");
    expect((await call("GET", "/identities", { version: "v2024" })).status).toBe(200);
    for (let i = 0; i < 5; i++) await tokenFor(sandbox);
    clock = 10_000;
    expect((await call("GET", "/identities")).status).toBe(200);
  });

  test("rateLimit: false disables it", async () => {
    const sandbox = createSandbox({ identities: 10, rateLimit: false });
    const call = await connect(sandbox);
    for (let i = 0; i < 150; i++) expect((await call("GET", "/identities?limit=1")).status).toBe(200);
  });
});

test("the request log records raw path, raw query, headers, body and final status", async () => {
  const sandbox = createSandbox({ identities: 10 });
  const call = await connect(sandbox);
  const fx = pickFixtures(sandbox.state);
  await call("POST", "/identities/invite", { body: { ids: [fx.unregistered] } });
  await call("GET", "/identities/a%2Fb?filters=name%20eq%20%22x%22");
  const [token, invite, encoded] = sandbox.requests;
  expect(token).toMatchObject({ method: "POST", path: "/oauth/token", query: "", status: 200 });
  expect(invite).toMatchObject({
    method: "POST",
    path: "/v2025/identities/invite",
    query: "",
    status: 202,
    body: JSON.stringify({ ids: [fx.unregistered] }),
  });
  expect(invite?.headers["authorization"]).toMatch(/^Bearer .+/);
  expect(invite?.headers["x-sailpoint-experimental"]).toBe("true");
  expect(encoded).toMatchObject({
    path: "/v2025/identities/a%2Fb",
    query: "?filters=name%20eq%20%22x%22",
    status: 404,
  });
  sandbox.clearRequests();
  expect(sandbox.requests).toEqual([]);
});

describe("faults", () => {
  let served: ServedSandbox | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  test("status faults use the spec's body for the status, for `count` matching requests only", async () => {
    const sandbox = createSandbox({ identities: 10 });
    const call = await connect(sandbox);
    sandbox.inject({ status: 503, count: 2, method: "GET", path: "/v2025/identities" });
    expect(
      (await call("POST", "/identities/process", { body: { identityIds: [pickFixtures(sandbox.state).plain] } }))
        .status,
    ).toBe(202);
    const first = await call("GET", "/identities");
    expect(first.status).toBe(503);
    expect(first.json<{ detailCode: string }>().detailCode).toBe("503 Service Unavailable");
    expect((await call("GET", "/identities")).status).toBe(503);
    expect((await call("GET", "/identities")).status).toBe(200);
    sandbox.inject({ status: 401 });
    expect((await call("GET", "/identities")).json()).toEqual({ error: "JWT validation failed: JWT is expired" });
    sandbox.inject({ status: 500, path: /role-assignments$/ });
    expect((await call("GET", "/identities")).status).toBe(200);
    expect(messageOf(await call("GET", "/identities/x/role-assignments"))).toBe("An internal fault occurred.");
  });

  test("retryAfter alone -> 429 {message} with that Retry-After; clearFaults drops queued ones", async () => {
    const sandbox = createSandbox({ identities: 10 });
    const call = await connect(sandbox);
    sandbox.inject({ retryAfter: 3 });
    const r = await call("GET", "/identities");
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("3");
    expect(r.json()).toEqual({ message: "Rate Limit Exceeded" });
    sandbox.inject({ status: 500, count: 10 });
    sandbox.clearFaults();
    expect((await call("GET", "/identities")).status).toBe(200);
  });

  test("a raw body fault sends malformed JSON as application/json", async () => {
    const sandbox = createSandbox({ identities: 10 });
    const call = await connect(sandbox);
    sandbox.inject({ body: '{"id": "abc", ' });
    const r = await call("GET", "/identities");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.text).toBe('{"id": "abc", ');
  });

  test("a delay-only or hold fault keeps the answer back, then the request proceeds normally", async () => {
    const sandbox = createSandbox({ identities: 10 });
    const call = await connect(sandbox);
    sandbox.inject({ delayMs: 120 });
    expect((await call("GET", "/identities?limit=1")).status).toBe(200);
    let release!: () => void;
    sandbox.inject({ hold: new Promise<void>((r) => (release = r)) });
    let answered = false;
    const held = call("GET", "/identities?limit=1").finally(() => (answered = true));
    await until(() => sandbox.requests.length === 3, "the held request arrived");
    // Arrived and not answered until the test says so.
    await new Promise((r) => setImmediate(r));
    expect([answered, sandbox.requests.at(-1)!.status]).toEqual([false, 0]);
    release();
    expect((await held).status).toBe(200);
  });

  test("a delayed fault stops waiting when the caller aborts (direct handler)", async () => {
    const sandbox = createSandbox({ identities: 10 });
    const token = await tokenFor(sandbox);
    // A delay that never ends by itself: only the abort can settle the call (else the test times out).
    sandbox.inject({ delayMs: 600_000, status: 500 });
    const controller = new AbortController();
    const pending = sandbox.handler(
      new Request("http://sandbox.test/v2025/identities", {
        headers: { authorization: `Bearer ${token}` },
        signal: controller.signal,
      }),
    );
    await until(() => sandbox.requests.at(-1)?.path === "/v2025/identities", "the request arrived");
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(sandbox.requests.at(-1)?.status).toBe(0);
  });

  test("reset destroys the connection over HTTP, and the server keeps serving", async () => {
    const sandbox = createSandbox({ identities: 10 });
    served = await serveSandbox(sandbox);
    const token = await tokenFor(sandbox);
    sandbox.inject({ reset: true, path: "/v2025/identities" });
    const headers = { authorization: `Bearer ${token}` };
    await expect(fetch(`${served.url}/v2025/identities`, { headers })).rejects.toThrow(/fetch failed/);
    expect(sandbox.requests.at(-1)).toMatchObject({ path: "/v2025/identities", status: 0 });
    expect((await fetch(`${served.url}/v2025/identities?limit=1`, { headers })).status).toBe(200);
    sandbox.inject({ reset: true });
    await expect(sandbox.handler(new Request("http://sandbox.test/v2025/identities", { headers }))).rejects.toThrow(
      "fetch failed",
    );
  });

  test("a stalled-body fault over HTTP: the real status, headers and first bytes, then nothing until the client gives up", async () => {
    const sandbox = createSandbox({ identities: 10 });
    served = await serveSandbox(sandbox);
    const token = await tokenFor(sandbox);
    const { plain } = pickFixtures(sandbox.state);
    const headers = { authorization: `Bearer ${token}`, "x-sailpoint-experimental": "true" };
    sandbox.inject({ method: "POST", path: /synchronize-attributes$/, stallBodyAfterBytes: 7 });
    const controller = new AbortController();
    const res = await fetch(`${served.url}/v2025/identities/${plain}/synchronize-attributes`, {
      method: "POST",
      headers,
      signal: controller.signal,
    });
    expect(res.status).toBe(202);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const reader = res.body!.getReader();
    let head = "";
    while (head.length < 7) head += Buffer.from((await reader.read()).value!).toString();
    expect(head).toBe('{"id":"');
    const rest = reader.read();
    controller.abort();
    await expect(rest).rejects.toMatchObject({ name: "AbortError" });
    // Alone, the fault cuts the real answer: the operation itself ran.
    expect(sandbox.state.syncs.map((s) => s.identityId)).toEqual([plain]);
    expect((await fetch(`${served.url}/v2025/identities?limit=1`, { headers })).status).toBe(200);
  });

  test("a stalled body with reset: the head and those bytes, then the connection drops", async () => {
    const sandbox = createSandbox({ identities: 10 });
    served = await serveSandbox(sandbox);
    const token = await tokenFor(sandbox);
    const headers = { authorization: `Bearer ${token}` };
    sandbox.inject({ path: "/v2025/identities", stallBodyAfterBytes: 3, reset: true });
    const res = await fetch(`${served.url}/v2025/identities?limit=1`, { headers });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow(/terminated/);
    expect((await fetch(`${served.url}/v2025/identities?limit=1`, { headers })).status).toBe(200);
  });

  test("a delayed fault over HTTP ends when the client aborts", async () => {
    const sandbox = createSandbox({ identities: 10 });
    served = await serveSandbox(sandbox);
    const token = await tokenFor(sandbox);
    sandbox.inject({ delayMs: 600_000, status: 500 });
    const controller = new AbortController();
    const pending = fetch(`${served.url}/v2025/identities`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    await until(() => sandbox.requests.at(-1)?.path === "/v2025/identities", "the request arrived");
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(sandbox.requests.at(-1)?.status).toBe(0);
    // served.close() in afterEach would hang on the never-ending delay (and the hook time out) if the abort had not reached the sandbox.
  });
});

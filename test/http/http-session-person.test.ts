// A 2025 session belongs to the person who opened it: with sign-in, another person's token carrying its Mcp-Session-Id reaches nothing.
import type { CallToolResult, ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import {
  rawRequest,
  startHttpHarness,
  startSignedInHarness,
  type HttpHarness,
  type RawResponse,
} from "../support/http-harness.js";
import { AUDIENCE, startOidcProvider, type OidcFixture } from "../support/oidc-provider.js";
const ALL = ["identities:read", "identities:write", "identities:destructive"];
const PROTOCOL = { "mcp-protocol-version": "2025-11-25" };

let idp: OidcFixture;
let h: HttpHarness | undefined;

beforeAll(async () => {
  idp = await startOidcProvider({
    accounts: [
      { sub: "ana", preferred_username: "ana.lead", scopes: ALL },
      { sub: "bo", preferred_username: "bo.other", scopes: ALL },
    ],
  });
});
afterAll(() => idp.close());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const tokenFor = (sub: string) => idp.token(sub, ALL, { resource: AUDIENCE });
const deletes = () => h!.sandbox.requests.filter((r) => r.method === "DELETE");

/** A person's client whose delete waits on its form: resolves once the form is up, with the elicitation's id and a way to answer it. */
async function pendingDelete(headers: Record<string, string>) {
  const { plain, owner: other } = pickFixtures(h!.sandbox.state);
  const name = h!.sandbox.state.identities.get(plain)!.name;
  let answer!: (result: ElicitResult) => void;
  const answered = new Promise<ElicitResult>((resolve) => (answer = resolve));
  let formUp!: (id: string | number) => void;
  const elicitationId = new Promise<string | number>((resolve) => (formUp = resolve));
  const { client, transport } = await h!.connect({ headers, onElicit: (_message, id) => (formUp(id), answered) });
  const call = client.callTool({
    name: "delete_identity",
    arguments: { identityId: plain },
  }) as Promise<CallToolResult>;
  const formId = await elicitationId;
  const pending = {
    id: plain,
    other,
    name,
    sessionId: transport.sessionId!,
    /** The raw JSON-RPC answer that accepts this form with the typed name, as any client could POST it. */
    accepting: JSON.stringify({ jsonrpc: "2.0", id: formId, result: { action: "accept", content: { name } } }),
    answer,
    call,
  };
  // The preview's reads are done once the form is up: from here on, every request at the sandbox is someone's doing.
  h!.sandbox.clearRequests();
  return pending;
}

/** A raw POST (not the session's own client) accepting the pending form on its session is delivered, and the delete runs once. */
async function answerDeletesOnce(a: Awaited<ReturnType<typeof pendingDelete>>, headers: Record<string, string>) {
  const res = await rawRequest(h!.url, {
    headers: { ...headers, ...PROTOCOL, "mcp-session-id": a.sessionId },
    body: a.accepting,
  });
  expect(res.status).toBe(202);
  const result = await a.call;
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  expect(deletes()).toHaveLength(1);
}

/** What a session id nobody ever had gets: the answer another person's session id must be indistinguishable from. */
async function unknownSession(method: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  return rawRequest(h!.url, {
    method,
    headers: { ...headers, ...PROTOCOL, "mcp-session-id": "00000000-0000-4000-8000-000000000000" },
    ...(body ? { body } : {}),
  });
}

describe("with sign-in, a session answers only the person who opened it", () => {
  it("B's tools/call, answer to A's form, stream and DELETE on A's session are refused as an unknown session (and logged); A's own answer then deletes once", async () => {
    h = await startSignedInHarness(idp, ["--confirm", "strict"]);
    const a = await pendingDelete(bearer(await tokenFor("ana")));
    const asB = { ...bearer(await tokenFor("bo")), ...PROTOCOL, "mcp-session-id": a.sessionId };

    const call = JSON.stringify({
      jsonrpc: "2.0",
      id: 70,
      method: "tools/call",
      params: { name: "start_identity_processing", arguments: { identityIds: [a.other] } },
    });
    const answer = a.accepting;
    const refusals: Array<[string, string | undefined, RawResponse]> = [
      ["POST", call, await rawRequest(h.url, { headers: asB, body: call })],
      ["POST", answer, await rawRequest(h.url, { headers: asB, body: answer })],
      ["GET", undefined, await rawRequest(h.url, { method: "GET", headers: { ...asB, accept: "text/event-stream" } })],
      ["DELETE", undefined, await rawRequest(h.url, { method: "DELETE", headers: asB })],
    ];
    for (const [method, body, res] of refusals) {
      // Byte for byte what a made-up session id gets: B learns nothing, not even that the session exists.
      const unknown = await unknownSession(method, bearer(await tokenFor("bo")), body);
      expect(res.status, `${method} ${body ?? ""}`).toBe(404);
      expect(res.body).toBe(unknown.body);
      expect(JSON.parse(res.body).error.message).toMatch(/Session not found/);
    }
    // Nothing of B's reached A's server: nothing at the sandbox, A's session still open and A's call still waiting on A's form.
    expect(h.sandbox.requests).toEqual([]);
    expect(h.sandbox.state.identities.has(a.id)).toBe(true);
    expect(h.serving.sessions).toBe(1);
    expect(h.audit).toEqual([]);
    // B's answer to A's form id on B's own session goes to B's server, which has no such form pending.
    const b = await h.connect({ headers: bearer(await tokenFor("bo")) });
    const own = await rawRequest(h.url, {
      headers: { ...asB, "mcp-session-id": b.transport.sessionId! },
      body: answer,
    });
    expect(own.status).toBe(202);
    expect(h.sandbox.requests).toEqual([]);
    expect(h.sandbox.state.identities.has(a.id)).toBe(true);
    // The operator sees each attempt, without the full session id.
    expect(h.logs.filter((l) => l.includes("belongs to sub"))).toEqual(
      ["POST", "POST", "GET", "DELETE"].map(
        (m) =>
          `[isc-identities-mcp] warn: HTTP 404 for ${m} /mcp: session ${a.sessionId.slice(0, 8)}… belongs to sub "ana"; the request of sub "bo" was answered as if it did not exist\n`,
      ),
    );
    expect(h.logs.join("")).not.toContain(a.sessionId);

    a.answer({ action: "accept", content: { name: a.name } });
    const result = await a.call;
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect(deletes().map((r) => r.path)).toEqual([expect.stringMatching(new RegExp(`/identities/${a.id}$`))]);
    expect(JSON.parse(h.audit.at(-1)!)).toMatchObject({
      tool: "delete_identity",
      outcome: "executed",
      confirmation: "form",
      actor: { sub: "ana" },
      confirmedBy: { sub: "ana" },
    });
  });

  it("A's own raw POST with a fresh token answers A's form: the session is the person's, not the token's", async () => {
    h = await startSignedInHarness(idp, ["--confirm", "strict"]);
    const a = await pendingDelete(bearer(await tokenFor("ana")));
    await answerDeletesOnce(a, bearer(await tokenFor("ana")));
  });
});

describe("without sign-in nothing changes: a session id is the only key", () => {
  it.each([
    [
      "a static bearer token",
      ["--confirm", "strict"],
      { ISC_MCP_HTTP_TOKEN: "helpdesk-static-token" },
      bearer("helpdesk-static-token"),
    ],
    ["loopback, no token", ["--confirm", "strict"], {}, {}],
  ])("%s: a raw POST answering a session's form is delivered", async (_name, argv, env, headers) => {
    h = await startHttpHarness(argv, env);
    const a = await pendingDelete(headers);
    await answerDeletesOnce(a, headers);
  });
});

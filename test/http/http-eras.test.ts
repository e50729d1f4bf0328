// Over HTTP, both protocol eras: a 2026-07-28 client (SDK v2) served per request beside 2025 sessions, behind the same gates; --stateless.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { deletable } from "../support/confirm-e2e.js";
import { codeDeletesOnce } from "../support/confirm-steps.js";
import { writeRequests, type AuditLine } from "../support/guard-helpers.js";
import {
  INITIALIZE,
  modernRequest as modern,
  rawRequest,
  startHttpHarness,
  startSignedInHarness,
  type HttpHarness,
  type RawResponse,
} from "../support/http-harness.js";
import { AUDIENCE, startOidcProvider, type OidcFixture } from "../support/oidc-provider.js";

const MODERN = "2026-07-28";
const KEY = { ISC_MCP_CONFIRM_KEY: "test-confirm-key-0123456789abcdef" };
const ALWAYS_CONFIRMED = ["delete_identity", "reset_identity", "send_identity_verification_account_token"];
const READ_TOOLS = [
  "get_identity",
  "get_identity_ownership_details",
  "get_role_assignment",
  "get_role_assignments",
  "get_task_status",
  "list_identities",
];

type Result = {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
};
const textOf = (r: Result): string => r.content.map((c) => c.text ?? "").join("\n");
const auditOf = (h: HttpHarness): AuditLine[] => h.audit.map((l) => JSON.parse(l) as AuditLine);

const json = (res: RawResponse) =>
  JSON.parse(res.body) as { result?: Record<string, unknown>; error?: { code: number; message: string } };
const statusOf = (err: unknown): number | undefined => (err as { status?: number }).status;

let h: HttpHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("a 2026-07-28 client over HTTP beside 2025 sessions (--confirm strict)", () => {
  it("connects with server/discover, lists the tools without those that always confirm, reads an identity with structuredContent, and opens no session", async () => {
    h = await startHttpHarness(["--confirm", "strict"]);
    const client = await h.connectModern();
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain("get_identity");
    for (const hidden of ALWAYS_CONFIRMED) expect(names).not.toContain(hidden);
    const { plain } = pickFixtures(h.sandbox.state);
    const read = (await client.callTool({ name: "get_identity", arguments: { identityId: plain } })) as Result;
    expect(read.isError).toBeFalsy();
    expect((read.structuredContent?.identity as { id: string; name: string }).name).toBe(
      h.sandbox.state.identities.get(plain)!.name,
    );
    expect(h.serving.sessions).toBe(0);
    // One server per request, each closed once it answered: nothing of a 2026 request outlives it.
    expect(h.servers.made).toBeGreaterThanOrEqual(3);
    await expect.poll(() => h!.servers.open).toBe(0);
  });

  it("completes an argument, lists and gets the prompts, lists and reads the resource template", async () => {
    h = await startHttpHarness(["--confirm", "strict"]);
    const client = await h.connectModern();
    const { completion } = await client.complete({
      ref: { type: "ref/prompt", name: "access_review" },
      argument: { name: "who", value: "a" },
    });
    expect(completion.values).toHaveLength(10);
    expect(completion.hasMore).toBe(true);
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual([
      "locked_out_user",
      "offboarding_precheck",
      "access_review",
      "processing_error",
    ]);
    const prompt = await client.getPrompt({ name: "access_review", arguments: { who: "Ada.Lovelace" } });
    expect(prompt.messages.map((m) => (m.content.type === "text" ? m.content.text : "")).join("\n")).toContain(
      '"Ada.Lovelace"',
    );
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["isc://identities/{identityId}"]);
    const { plain } = pickFixtures(h.sandbox.state);
    const res = await client.readResource({ uri: `isc://identities/${plain}` });
    expect(JSON.parse((res.contents[0] as { text: string }).text)).toMatchObject({
      id: plain,
      name: h.sandbox.state.identities.get(plain)!.name,
    });
    expect(h.serving.sessions).toBe(0);
  });

  it("refuses a delete no channel can confirm for this client (no elicitation declared): nothing reaches ISC, and the audit line names the era", async () => {
    h = await startHttpHarness(["--confirm", "strict"]);
    // A client declaring form now gets the form as an input request (test/confirm/confirm-matrix.test.ts).
    const client = await h.connectModern({ capabilities: {} });
    const id = deletable(h.sandbox.state, 1)[0]!;
    const res = (await client.callTool({ name: "delete_identity", arguments: { identityId: id } })) as Result;
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/^delete_identity refused: nothing was changed/);
    expect(writeRequests(h.sandbox)).toEqual([]);
    expect(h.sandbox.state.identities.has(id)).toBe(true);
    expect(
      auditOf(h)
        .filter((l) => l.tool === "delete_identity")
        .map((l) => [l.era, l.outcome]),
    ).toEqual([[MODERN, "refused"]]);
  });

  it("in auto mode the v2 client picks 2026-07-28 over HTTP; in its default mode it opens a 2025 session as before", async () => {
    h = await startHttpHarness(["--confirm", "strict"]);
    const auto = await h.connectModern({ mode: "auto" });
    expect(auto.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect((await auto.listTools()).tools.map((t) => t.name)).toContain("list_identities");
    expect(h.serving.sessions).toBe(0);
    const plain = await h.connectModern({ mode: "default" });
    expect(plain.getNegotiatedProtocolVersion()).toBe("2025-11-25");
    expect((await plain.listTools()).tools.map((t) => t.name)).toContain("list_identities");
    expect(h.serving.sessions).toBe(1);
  });

  it("serves a 2026 request that carries an Mcp-Session-Id (live or made up) as any other, and mints or echoes no session id", async () => {
    h = await startHttpHarness(["--confirm", "strict"]);
    const { transport } = await h.connect();
    const live = transport.sessionId!;
    expect(h.serving.sessions).toBe(1);
    for (const id of [live, "made-up-session-id"]) {
      const req = modern("tools/list", {}, { headers: { "mcp-session-id": id } });
      const res = await rawRequest(h.url, req);
      expect(res.status, id).toBe(200);
      expect(res.headers["mcp-session-id"], id).toBeUndefined();
      expect((json(res).result?.tools as Array<{ name: string }>).map((t) => t.name)).toContain("get_identity");
    }
    // A fresh 2026 request (server/discover included) never opens one either.
    const discover = await rawRequest(h.url, modern("server/discover"));
    expect(discover.status).toBe(200);
    expect(discover.headers["mcp-session-id"]).toBeUndefined();
    expect(json(discover).result?.supportedVersions).toContain(MODERN);
    expect(h.serving.sessions).toBe(1);
  });

  it("answers a 2025 request without Mcp-Session-Id with 400 (start with initialize), and a 2026 header without the envelope with -32602", async () => {
    h = await startHttpHarness(["--confirm", "strict"]);
    const plain = await rawRequest(h.url, { body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) });
    expect(plain.status).toBe(400);
    expect(plain.body).toMatch(/no Mcp-Session-Id header; start a session with an initialize request/);
    const halfModern = await rawRequest(h.url, {
      headers: { "mcp-protocol-version": MODERN, "mcp-method": "tools/list" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(halfModern.status).toBe(400);
    expect(json(halfModern).error?.code).toBe(-32602);
    expect(h.serving.sessions).toBe(0);
  });
});

describe("a 2026-07-28 client over HTTP, --confirm auto", () => {
  it("confirms a delete with a code across two requests (two servers): one delete, then the code is spent", async () => {
    h = await startHttpHarness(["--confirm", "auto"]);
    const client = await h.connectModern();
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("delete_identity");
    await codeDeletesOnce(client, h.sandbox);
    expect(
      auditOf(h)
        .filter((l) => l.tool === "delete_identity")
        .map((l) => [l.era, l.confirmation, l.outcome]),
    ).toEqual([
      [MODERN, "code", "refused"],
      [MODERN, "code", "executed"],
      [MODERN, "code", "refused"],
    ]);
  });
});

describe("the gates in front of the 2026 leg", () => {
  it("refuses a foreign Host and a foreign Origin (DNS rebinding) before any server is made", async () => {
    h = await startHttpHarness();
    const port = new URL(h.url).port;
    const req = modern("tools/list");
    const host = await rawRequest(h.url, { headers: { ...req.headers, host: `evil.example:${port}` }, body: req.body });
    expect(host.status).toBe(403);
    expect(json(host).error?.message).toMatch(/Host .* is not allowed/);
    const origin = await h.connectModern({ headers: { Origin: "https://evil.example" } }).catch((e: unknown) => e);
    expect(statusOf(origin)).toBe(403);
    expect(h.servers.made).toBe(0);
    const loopback = await h.connectModern({ headers: { Origin: `http://localhost:${port}` } });
    expect(loopback.getNegotiatedProtocolVersion()).toBe(MODERN);
  });

  it("needs the bearer token when one is configured (401 without, 401 wrong, works right)", async () => {
    h = await startHttpHarness([], { ISC_MCP_HTTP_TOKEN: "t0ken-for-tests" });
    const missing = await h.connectModern().catch((e: unknown) => e);
    expect(statusOf(missing)).toBe(401);
    const req = modern("tools/list");
    const wrong = await rawRequest(h.url, {
      headers: { ...req.headers, authorization: "Bearer nope" },
      body: req.body,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(h.servers.made).toBe(0);
    const client = await h.connectModern({ headers: { Authorization: "Bearer t0ken-for-tests" } });
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("get_identity");
  });
});

describe("sign-in (OAuth) in front of the 2026 leg", () => {
  const [READ, WRITE] = ["identities:read", "identities:write"];
  let idp: OidcFixture;
  beforeAll(async () => {
    idp = await startOidcProvider({ accounts: [{ sub: "rita", email: "rita@example.test", scopes: [READ] }] });
  });
  afterAll(() => idp?.close());
  const start = () => startSignedInHarness(idp, ["--confirm", "auto"]);

  it("answers a 2026 request without a token with the same 401 and WWW-Authenticate as a 2025 initialize", async () => {
    h = await start();
    const old = await rawRequest(h.url, { body: INITIALIZE });
    const req = modern("server/discover");
    const now = await rawRequest(h.url, req);
    expect(old.status).toBe(401);
    expect(now.status).toBe(401);
    expect(now.headers["www-authenticate"]).toBe(old.headers["www-authenticate"]);
    expect(now.headers["www-authenticate"]).toMatch(
      /^Bearer resource_metadata="https:\/\/mcp\.helpdesk\.test\/\.well-known\/oauth-protected-resource\/mcp"/,
    );
    expect(h.servers.made).toBe(0);
  });

  it("gives a read-only person's 2026 client only the read tools, and refuses a write call at the gate with 403 insufficient_scope", async () => {
    h = await start();
    const token = await idp.token("rita", [READ], { resource: AUDIENCE });
    const client = await h.connectModern({ headers: { Authorization: `Bearer ${token}` } });
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
    const { plain } = pickFixtures(h.sandbox.state);
    const req = modern(
      "tools/call",
      { name: "start_identity_processing", arguments: { identityIds: [plain] } },
      { headers: { authorization: `Bearer ${token}` } },
    );
    const refused = await rawRequest(h.url, req);
    expect(refused.status).toBe(403);
    expect(String(refused.headers["www-authenticate"])).toMatch(/error="insufficient_scope"/);
    expect(String(refused.headers["www-authenticate"])).toContain(`scope="${READ} ${WRITE}"`);
    expect(writeRequests(h.sandbox)).toEqual([]);
  });
});

describe("--stateless: both eras per request", () => {
  const start = () => startHttpHarness(["--stateless", "--single-replica", "--confirm", "auto"], KEY);

  it("serves a 2026 client and a 2025 client, each request on a server of its own, and keeps no session", async () => {
    h = await start();
    const now = await h.connectModern();
    expect(now.getNegotiatedProtocolVersion()).toBe(MODERN);
    expect((await now.listTools()).tools.map((t) => t.name)).toContain("delete_identity");
    const { client: old } = await h.connect();
    const { plain } = pickFixtures(h.sandbox.state);
    const read = (await old.callTool({ name: "get_identity", arguments: { identityId: plain } })) as Result;
    expect((read.structuredContent?.identity as { id: string }).id).toBe(plain);
    expect(h.serving.sessions).toBe(0);
    await expect.poll(() => h!.servers.open).toBe(0);
  });

  it("answers a 2025 request without initialize or session id, and refuses GET and DELETE with 405 and Allow: POST", async () => {
    h = await start();
    const plain = await rawRequest(h.url, {
      headers: { "mcp-protocol-version": "2025-11-25" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(plain.status).toBe(200);
    expect(plain.headers["mcp-session-id"]).toBeUndefined();
    expect(plain.body).toContain("get_identity");
    for (const method of ["GET", "DELETE"]) {
      const res = await rawRequest(h.url, { method, headers: { accept: "text/event-stream" } });
      expect(res.status, method).toBe(405);
      expect(res.headers.allow, method).toBe("POST");
    }
  });
});

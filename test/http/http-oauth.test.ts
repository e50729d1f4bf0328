// Sign-in over HTTP against a real OpenID Connect provider on loopback: metadata, refused tokens, scopes, rotation, a provider that is down.
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { exportJWK, generateKeyPair, importJWK, SignJWT, UnsecuredJWT, type JWTPayload } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { protocolError } from "../support/both-eras.js";
import { CLI_ERAS, type CliEra, type EraClient, type EraHuman } from "../support/cli-eras.js";
import {
  INITIALIZE,
  modernRequest,
  rawRequest,
  startHttpHarness,
  startSignedInHarness,
  type HttpHarness,
} from "../support/http-harness.js";
import { AUDIENCE, CLIENT, signInArgs, startOidcProvider, type OidcFixture } from "../support/oidc-provider.js";

const PRM_URL = "https://mcp.helpdesk.test/.well-known/oauth-protected-resource/mcp";
const [READ, WRITE, DESTRUCTIVE] = ["identities:read", "identities:write", "identities:destructive"];
const ALL = [READ, WRITE, DESTRUCTIVE];
const DECLINE = () => ({ action: "decline" as const });
const READ_TOOLS = [
  "get_identity",
  "get_identity_ownership_details",
  "get_role_assignment",
  "get_role_assignments",
  "get_task_status",
  "list_identities",
];
const WRITE_TOOLS = [
  "send_identity_verification_account_token",
  "start_identities_invite",
  "start_identity_processing",
  "synchronize_attributes_for_identity",
];

let idp: OidcFixture;
let h: HttpHarness | undefined;
/** Clients of either era a test connected through CLI_ERAS, closed after it (before the harness). */
const eraClients: EraClient[] = [];

beforeAll(async () => {
  idp = await startOidcProvider({
    accounts: [
      { sub: "ana", preferred_username: "ana.lead", email: "ana@example.test", scopes: ALL },
      { sub: "rita", email: "rita@example.test", scopes: [READ] },
      { sub: "wes", scopes: [WRITE] },
      { sub: "nobody", scopes: [] },
    ],
  });
});
afterAll(() => idp.close());
afterEach(async () => {
  await Promise.all(eraClients.splice(0).map((c) => c.close().catch(() => {})));
  await h?.close();
  h = undefined;
});

const start = (provider = idp, argv: string[] = []) => startSignedInHarness(provider, argv);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const FORM = { elicitation: { form: {} } };
const tokenFor = (sub: string, scopes = ALL) => idp.token(sub, scopes, { resource: AUDIENCE });

/** `era`'s client on the harness with `token`; with `human`, it declares form elicitation and answers with it. */
async function connectAs(era: CliEra, token: string, human?: EraHuman): Promise<EraClient> {
  const client = await era.http(h!.url, human ? FORM : {}, human, bearer(token));
  eraClients.push(client);
  return client;
}

/** A token signed with the provider's own key but with claims the provider would never issue. */
async function forged(claims: JWTPayload, key = idp.signingKey): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: idp.issuer,
    aud: AUDIENCE,
    sub: "ana",
    iat: now,
    exp: now + 300,
    scope: ALL.join(" "),
    client_id: CLIENT.id,
    ...claims,
  };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: key.kid! })
    .sign(await importJWK(key, "ES256"));
}

function challenge(res: { headers: Record<string, string | string[] | undefined> }): string {
  return String(res.headers["www-authenticate"] ?? "");
}

describe("OAuth resource server: discovery and metadata", () => {
  it("publishes Protected Resource Metadata at the plain and the /mcp path, without a token", async () => {
    h = await start();
    const origin = new URL(h.url).origin;
    for (const path of ["/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"]) {
      const res = await fetch(`${origin}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        resource: AUDIENCE,
        authorization_servers: [idp.issuer],
        scopes_supported: ALL,
        bearer_methods_supported: ["header"],
        resource_name: "isc-identities-mcp",
      });
    }
  });

  it("answers a request without a token with 401 and the metadata URL and scopes to sign in with", async () => {
    h = await start();
    const res = await rawRequest(h.url, { body: INITIALIZE });
    expect(res.status).toBe(401);
    expect(challenge(res)).toBe(`Bearer resource_metadata="${PRM_URL}", scope="${ALL.join(" ")}"`);
  });

  it("serves a signed-in person through the SDK client, with the keys discovered from the issuer", async () => {
    h = await start();
    const { client } = await h.connect({ headers: bearer(await tokenFor("ana")) });
    const list = (await client.callTool({ name: "list_identities", arguments: { limit: 1 } })) as CallToolResult;
    expect(list.isError).toBeFalsy();
    expect((list.structuredContent as { items: unknown[] }).items).toHaveLength(1);
  });
});

describe("OAuth resource server: refused tokens get 401 and reach nothing", () => {
  const cases: Array<[string, () => Promise<string>, RegExp]> = [
    ["expired", () => forged({ exp: Math.floor(Date.now() / 1000) - 120 }), /expired/],
    ["not yet valid", () => forged({ nbf: Math.floor(Date.now() / 1000) + 600 }), /not valid yet/],
    [
      "for another audience (issued by the provider)",
      () => idp.token("ana", ALL, { resource: "https://other-server.test/mcp" }),
      /another audience/,
    ],
    ["from another issuer", () => forged({ iss: "https://evil.test" }), /another issuer/],
    [
      "signed with a key the provider does not know",
      async () => {
        const { privateKey } = await generateKeyPair("ES256", { extractable: true });
        return forged({}, { ...(await exportJWK(privateKey)), kid: "not-at-the-provider" });
      },
      /key the identity provider does not publish/,
    ],
    [
      "with alg none",
      async () =>
        new UnsecuredJWT({ scope: ALL.join(" ") })
          .setIssuer(idp.issuer)
          .setAudience(AUDIENCE)
          .setSubject("ana")
          .setExpirationTime("5m")
          .encode(),
      /algorithm/,
    ],
    ["that is no JWT", async () => "opaque-token-the-server-cannot-check", /not a JWT/],
  ];
  it.each(cases)("a token %s", async (_name, make, why) => {
    h = await start();
    h.sandbox.clearRequests();
    const res = await rawRequest(h.url, { headers: bearer(await make()), body: INITIALIZE });
    expect(res.status).toBe(401);
    expect(challenge(res)).toMatch(
      new RegExp(
        `^Bearer error="invalid_token", error_description="[^"]*${why.source}[^"]*", resource_metadata="${PRM_URL}"$`,
      ),
    );
    expect(JSON.parse(res.body).error.message).toMatch(why);
    expect(h.sandbox.requests).toEqual([]);
  });
});

describe("OAuth resource server: opaque tokens by introspection (RFC 7662)", () => {
  it("accepts an opaque token the provider vouches for, with its scopes, and refuses one it does not", async () => {
    h = await startHttpHarness([...signInArgs(idp), "--oauth-introspection"], {
      ISC_MCP_OAUTH_CLIENT_SECRET: CLIENT.secret,
    });
    const opaque = await idp.token("rita", ALL, { resource: AUDIENCE, format: "opaque" });
    expect(opaque.split(".")).toHaveLength(1);
    const { client } = await h.connect({ headers: bearer(opaque) });
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(READ_TOOLS);
    const other = await idp.token("rita", ALL, { resource: "https://other-server.test/mcp", format: "opaque" });
    const refused = await rawRequest(h.url, { headers: bearer(other), body: INITIALIZE });
    expect(refused.status).toBe(401);
    expect(challenge(refused)).toMatch(
      /error="invalid_token", error_description="the token was issued for another audience"/,
    );
    const unknown = await rawRequest(h.url, { headers: bearer("made-up-opaque-token"), body: INITIALIZE });
    expect(unknown.status).toBe(401);
    expect(challenge(unknown)).toMatch(/not active/);
  });
});

describe("rights follow the person", () => {
  it("tools/list shows each person only the tools their scopes allow", async () => {
    h = await start();
    const names = async (sub: string) => {
      // A client that can show a form: under the default --confirm strict, delete and reset are listed only to such a client.
      const { client } = await h!.connect({ headers: bearer(await tokenFor(sub)), onElicit: DECLINE });
      return (await client.listTools()).tools.map((t) => t.name).sort();
    };
    expect(await names("rita")).toEqual(READ_TOOLS);
    expect(await names("wes")).toEqual(WRITE_TOOLS);
    expect(await names("ana")).toEqual([...READ_TOOLS, ...WRITE_TOOLS, "delete_identity", "reset_identity"].sort());
  });

  it("prompts follow the person too: no prompt that leads to a tool their scopes do not allow", async () => {
    h = await start();
    const seen = async (sub: string) => {
      const { client } = await h!.connect({ headers: bearer(await tokenFor(sub)), onElicit: DECLINE });
      return { client, prompts: (await client.listPrompts()).prompts.map((p) => p.name).sort() };
    };
    const all = ["access_review", "locked_out_user", "offboarding_precheck", "processing_error"];
    expect((await seen("ana")).prompts).toEqual(all);
    // Read only: the prompts that lead to an email, an invite, processing or a delete are not theirs.
    const rita = await seen("rita");
    expect(rita.prompts).toEqual(["access_review"]);
    await expect(rita.client.getPrompt({ name: "offboarding_precheck", arguments: { who: "x" } })).rejects.toThrow(
      /-32602.*Unknown prompt "offboarding_precheck"/,
    );
    await expect(
      rita.client.complete({
        ref: { type: "ref/prompt", name: "locked_out_user" },
        argument: { name: "who", value: "a" },
      }),
    ).rejects.toThrow(/-32602.*Unknown prompt "locked_out_user"/);
    expect((await rita.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      "isc://identities/{identityId}",
    ]);
    // Write only: every prompt starts by finding people, a read (and the sign-in gate refuses them the template).
    expect((await seen("wes")).prompts).toEqual([]);
  });

  it("a token with none of the three scopes is refused with a challenge for the read scope", async () => {
    h = await start();
    const err = await h.connect({ headers: bearer(await tokenFor("nobody")) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamableHTTPError);
    expect((err as StreamableHTTPError).code).toBe(403);
  });

  // The cases that reach a guarded tool, for each era's client (2025: sdk 1.32 on a session; 2026: v2 pinned to
  // 2026-07-28, per request, the token on each).
  describe.each(CLI_ERAS)("$label", (era) => {
    it("a call beyond the token's scopes gets 403 with a scope challenge, and nothing reaches ISC", async () => {
      h = await start();
      const token = await tokenFor("rita");
      const id = pickFixtures(h.sandbox.state).plain;
      const params = { name: "delete_identity", arguments: { identityId: id } };
      // 2025: on the session the person opened; 2026: a request of its own, with the envelope and its headers.
      const sent =
        era.era === "2025-11-25"
          ? {
              headers: {
                ...bearer(token),
                "mcp-session-id": (await h.connect({ headers: bearer(token) })).transport.sessionId!,
                "mcp-protocol-version": "2025-11-25",
              },
              body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params }),
            }
          : modernRequest("tools/call", params, { headers: bearer(token), id: 7 });
      h.sandbox.clearRequests();
      const res = await rawRequest(h.url, sent);
      expect(res.status).toBe(403);
      expect(challenge(res)).toBe(
        `Bearer error="insufficient_scope", scope="${READ} ${DESTRUCTIVE}", resource_metadata="${PRM_URL}", error_description="the tool delete_identity needs the ${DESTRUCTIVE} scope"`,
      );
      expect(h.sandbox.requests).toEqual([]);
      expect(h.sandbox.state.identities.has(id)).toBe(true);
      expect(h.audit).toEqual([]);
    });

    it("a tool this server does not offer (--read-only) is unknown, not a scope challenge to sign in with more rights", async () => {
      h = await start(idp, ["--read-only"]);
      const client = await connectAs(era, await tokenFor("rita"));
      const id = pickFixtures(h.sandbox.state).plain;
      h.sandbox.clearRequests();
      const err = await protocolError(client.callTool({ name: "delete_identity", arguments: { identityId: id } }));
      expect(err.code).toBe(ErrorCode.InvalidParams);
      expect(err.message).toMatch(/Unknown tool "delete_identity"/);
      expect(h.sandbox.requests).toEqual([]);
      expect(h.sandbox.state.identities.has(id)).toBe(true);
    });

    it("the audit line names who asked: sub and one display claim, nothing else from the token", async () => {
      h = await start();
      const token = await tokenFor("ana");
      const client = await connectAs(era, token);
      const id = pickFixtures(h.sandbox.state).plain;
      const result = (await client.callTool({
        name: "start_identity_processing",
        arguments: { identityIds: [id] },
      })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      const line = JSON.parse(h.audit.at(-1)!) as Record<string, unknown>;
      expect(line).toMatchObject({
        era: era.era,
        tool: "start_identity_processing",
        outcome: "executed",
        actor: { sub: "ana", name: "ana.lead" },
      });
      expect(h.audit.join("")).not.toContain("ana@example.test");
      expect(h.audit.join("")).not.toContain(token.split(".")[2]);
      // The person's token never goes to ISC: the sandbox only ever saw the server's own client-credentials token.
      expect(h.sandbox.requests.some((r) => r.headers.authorization?.includes(token))).toBe(false);
    });

    it("a delete asked by A and confirmed by A on their client's form: one DELETE, and the audit line names both", async () => {
      h = await start();
      const id = pickFixtures(h.sandbox.state).plain;
      const name = h.sandbox.state.identities.get(id)!.name;
      const client = await connectAs(era, await tokenFor("ana"), () => ({ action: "accept", content: { name } }));
      h.sandbox.clearRequests();
      const result = (await client.callTool({
        name: "delete_identity",
        arguments: { identityId: id },
      })) as CallToolResult;
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      expect(h.sandbox.requests.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual([
        expect.stringMatching(new RegExp(`/identities/${id}$`)),
      ]);
      const line = JSON.parse(h.audit.at(-1)!) as Record<string, unknown>;
      expect(line).toMatchObject({
        era: era.era,
        tool: "delete_identity",
        targetIds: [id],
        outcome: "executed",
        confirmation: "form",
        actor: { sub: "ana", name: "ana.lead" },
        confirmedBy: { sub: "ana", name: "ana.lead" },
      });
    });

    it("under --four-eyes the asker's own form (or a code) cannot confirm a destructive tool: refused, nothing deleted", async () => {
      h = await start(idp, ["--four-eyes"]);
      const id = pickFixtures(h.sandbox.state).plain;
      const name = h.sandbox.state.identities.get(id)!.name;
      let asked = 0;
      const client = await connectAs(
        era,
        await tokenFor("ana"),
        () => (asked++, { action: "accept", content: { name } }),
      );
      const result = (await client.callTool({
        name: "delete_identity",
        arguments: { identityId: id },
      })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toMatch(/second person to approve destructive actions \(--four-eyes\)/);
      expect(asked).toBe(0);
      expect(h.sandbox.requests.filter((r) => r.method === "DELETE")).toEqual([]);
      expect(h.sandbox.state.identities.has(id)).toBe(true);
      expect(JSON.parse(h.audit.at(-1)!)).toMatchObject({
        era: era.era,
        tool: "delete_identity",
        outcome: "refused",
        actor: { sub: "ana" },
      });
      expect(JSON.parse(h.audit.at(-1)!)).not.toHaveProperty("confirmedBy");
    });
  });

  // 2025 only: a 2026 request has no session; each carries its own token (the per-era cases above).
  it("a session answers only the person who opened it", async () => {
    h = await start();
    const { transport } = await h.connect({ headers: bearer(await tokenFor("rita")) });
    const res = await rawRequest(h.url, {
      headers: {
        ...bearer(await tokenFor("ana")),
        "mcp-session-id": transport.sessionId!,
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    expect(res.status).toBe(404);
  });
});

describe("the provider's keys and availability", () => {
  it("picks up a key rotation at the provider without a restart", async () => {
    const own = await startOidcProvider({ accounts: [{ sub: "ana", scopes: ALL }] });
    try {
      h = await start(own);
      const before = await own.token("ana", ALL, { resource: AUDIENCE });
      expect(
        (await (await h.connect({ headers: bearer(before), onElicit: DECLINE })).client.listTools()).tools,
      ).toHaveLength(12);
      await own.rotate();
      const after = await own.token("ana", ALL, { resource: AUDIENCE });
      expect(after.split(".")[0]).not.toBe(before.split(".")[0]); // another kid in the header
      expect(
        (await (await h.connect({ headers: bearer(after), onElicit: DECLINE })).client.listTools()).tools,
      ).toHaveLength(12);
    } finally {
      await own.close();
    }
  });

  it("a provider that is down: requests fail closed with 503 and a clear error, and nothing reaches ISC", async () => {
    const own = await startOidcProvider({ accounts: [{ sub: "ana", scopes: ALL }] });
    const token = await own.token("ana", ALL, { resource: AUDIENCE });
    await own.stop();
    h = await start(own);
    h.sandbox.clearRequests();
    const res = await rawRequest(h.url, { headers: bearer(token), body: INITIALIZE });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).error.message).toMatch(
      new RegExp(`identity provider ${own.issuer} could not be reached.*Nothing was sent to ISC`),
    );
    expect(h.sandbox.requests).toEqual([]);
  });

  it("a provider that goes down after its keys were cached: a token with a new key id fails closed with 503", async () => {
    const own = await startOidcProvider({ accounts: [{ sub: "ana", scopes: ALL }] });
    h = await start(own);
    expect(
      (
        await (
          await h.connect({ headers: bearer(await own.token("ana", ALL, { resource: AUDIENCE })), onElicit: DECLINE })
        ).client.listTools()
      ).tools,
    ).toHaveLength(12);
    const rotatedKey = {
      ...(await exportJWK((await generateKeyPair("ES256", { extractable: true })).privateKey)),
      kid: "rotated-while-down",
    };
    await own.stop();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({
      iss: own.issuer,
      aud: AUDIENCE,
      sub: "ana",
      exp: now + 300,
      scope: ALL.join(" "),
    })
      .setProtectedHeader({ alg: "ES256", kid: rotatedKey.kid })
      .sign(await importJWK(rotatedKey, "ES256"));
    h.sandbox.clearRequests();
    const res = await rawRequest(h.url, { headers: bearer(token), body: INITIALIZE });
    expect(res.status).toBe(503);
    expect(h.sandbox.requests).toEqual([]);
  });
});

// A confirmation's requestState (2026-07-28, where it travels through the client): used once, for its own call only, unaltered, in time, by its own person.
import { createHmac, randomBytes } from "node:crypto";
import { createRequestStateCodec } from "@modelcontextprotocol/server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pickFixtures, type Fixtures } from "../../src/sandbox/index.js";
import { lastAudit, manualClock, writeRequests } from "../support/guard-helpers.js";
import { textOf } from "../support/harness.js";
import { startModernHarness, MODERN, type ModernHarness } from "../support/modern-harness.js";
import { startHttpHarness, startSignedInHarness, type HttpHarness } from "../support/http-harness.js";
import { AUDIENCE, startOidcProvider, type OidcFixture } from "../support/oidc-provider.js";

type Raw = Record<string, unknown> & {
  resultType?: string;
  requestState?: string;
  inputRequests?: Record<string, { params?: { message?: string } }>;
  isError?: boolean;
  content?: Array<{ type: string; text?: string }>;
};
const text = (r: Raw) => textOf(r as never);

let h: ModernHarness;
let fx: Fixtures;
let clock: ReturnType<typeof manualClock>;
const nameOf = (id: string) => h.sandbox.state.identities.get(id)!.name;
const accept = (name: string) => ({ confirm: { action: "accept", content: { name } } });

/** Round 1 of a delete: the form as an input request, and the state to answer it with. */
async function askDelete(id: string): Promise<string> {
  const first = (await h.callRaw("delete_identity", { identityId: id })) as Raw;
  expect(first.resultType).toBe("input_required");
  expect(first.inputRequests?.confirm?.params?.message).toContain(JSON.stringify(nameOf(id)));
  expect(typeof first.requestState).toBe("string");
  return first.requestState!;
}

function expectRefused(res: Raw, reason: string, why: RegExp) {
  expect(res.resultType).toBeUndefined();
  expect(res.isError).toBe(true);
  expect(text(res)).toMatch(
    /^delete_identity refused: nothing was changed|^reset_identity refused: nothing was changed/,
  );
  expect(text(res)).toMatch(why);
  // A refused state is still a call that needed a confirmation: never "none-needed" on a delete or reset.
  expect(lastAudit(h as never)).toMatchObject({ outcome: "refused", reason, era: MODERN, confirmation: "form" });
}

const start = (opts: { argv?: string[]; env?: Record<string, string> } = {}) =>
  startModernHarness({
    argv: ["--confirm", "strict", "--confirm-ttl", "300", ...(opts.argv ?? [])],
    ...(opts.env ? { env: opts.env } : {}),
    sandbox: { identities: 60 },
    capabilities: { elicitation: { form: {} } },
    now: clock.now,
  });

beforeEach(async () => {
  clock = manualClock(Date.now());
  h = await start();
  fx = pickFixtures(h.sandbox.state);
});

/** A server sealing its states with a known ISC_MCP_CONFIRM_KEY (the only process with it), so a test can seal its own. */
const KEY = "rounds-test-confirm-key-0123456789abcdef";
const keyed = () => start({ argv: ["--single-replica"], env: { ISC_MCP_CONFIRM_KEY: KEY } });
/** The SDK codec under `key`; src/guard/round-state.ts seals with the one derived from ISC_MCP_CONFIRM_KEY so. */
const codecUnder = (key: Buffer) => createRequestStateCodec<Record<string, unknown>>({ key, ttlSeconds: 600 });
const serverKey = createHmac("sha256", KEY).update("isc-identities-mcp requestState").digest();
/** A sealed state's parts: "v1." + base64url(JSON envelope) + "." + MAC; the envelope is signed, not encrypted. */
function partsOf(state: string) {
  const dot = state.lastIndexOf(".");
  const envelope = JSON.parse(Buffer.from(state.slice(3, dot), "base64url").toString()) as {
    p: Record<string, unknown> & { exp: number };
  };
  return { envelope, mac: state.slice(dot + 1) };
}
afterEach(async () => {
  await h.close();
});

describe("a requestState answered as issued", () => {
  it("deletes once, and the same state and answer sent again are refused as a replay: one DELETE in all", async () => {
    const state = await askDelete(fx.plain);
    const done = (await h.callRaw(
      "delete_identity",
      { identityId: fx.plain },
      { requestState: state, inputResponses: accept(nameOf(fx.plain)) },
    )) as Raw;
    expect(done.isError).toBeFalsy();
    expect(text(done)).toContain("was deleted");
    expect(h.sandbox.state.deleted).toEqual([fx.plain]);
    const again = (await h.callRaw(
      "delete_identity",
      { identityId: fx.plain },
      { requestState: state, inputResponses: { confirm: { action: "accept", content: { name: "x" } } } },
    )) as Raw;
    expectRefused(again, "state-replayed", /already used; each one is taken once/);
    expect(writeRequests(h.sandbox)).toHaveLength(1);
  });

  it("a decline spends it: the same state with a yes afterwards is refused, 0 writes", async () => {
    const identity = nameOf(fx.plain);
    const state = await askDelete(fx.plain);
    const declined = (await h.callRaw(
      "delete_identity",
      { identityId: fx.plain },
      { requestState: state, inputResponses: { confirm: { action: "decline" } } },
    )) as Raw;
    expect(text(declined)).toMatch(/declined/);
    const replay = (await h.callRaw(
      "delete_identity",
      { identityId: fx.plain },
      { requestState: state, inputResponses: accept(identity) },
    )) as Raw;
    expectRefused(replay, "state-replayed", /already used/);
    expect(writeRequests(h.sandbox)).toEqual([]);
  });
});

describe("a requestState used elsewhere, altered, late or by someone else: refused, nothing sent to ISC", () => {
  it("on another tool (reset instead of delete, same identity)", async () => {
    const state = await askDelete(fx.plain);
    const res = (await h.callRaw(
      "reset_identity",
      { identityId: fx.plain },
      { requestState: state, inputResponses: accept(nameOf(fx.plain)) },
    )) as Raw;
    expect(res.isError).toBe(true);
    expect(text(res)).toMatch(
      /^reset_identity refused: nothing was changed[\s\S]*asked for another tool \(not reset_identity\)/,
    );
    expect(lastAudit(h as never)).toMatchObject({
      tool: "reset_identity",
      outcome: "refused",
      reason: "state-mismatch",
    });
    expect(writeRequests(h.sandbox)).toEqual([]);
  });

  it("on another target (the same tool for another identity, with that identity's name)", async () => {
    const state = await askDelete(fx.plain);
    const other = fx.manager;
    const res = (await h.callRaw(
      "delete_identity",
      { identityId: other },
      { requestState: state, inputResponses: accept(nameOf(other)) },
    )) as Raw;
    expectRefused(res, "state-mismatch", /asked for other arguments \(another target or other values\)/);
    expect(writeRequests(h.sandbox)).toEqual([]);
    expect(h.sandbox.state.identities.has(other)).toBe(true);
  });

  it("when the target changed between the rounds (same arguments, the identity renamed meanwhile)", async () => {
    const original = nameOf(fx.plain);
    const state = await askDelete(fx.plain);
    h.sandbox.state.identities.get(fx.plain)!.name = "Someone.Else";
    const res = (await h.callRaw(
      "delete_identity",
      { identityId: fx.plain },
      { requestState: state, inputResponses: accept(original) },
    )) as Raw;
    expectRefused(res, "target-changed", /changed \(or is gone\) while the user was confirming/);
    expect(writeRequests(h.sandbox)).toEqual([]);
  });

  it("altered (one character of its signed body changed)", async () => {
    const state = await askDelete(fx.plain);
    const i = state.indexOf(".") + 5;
    const tampered = state.slice(0, i) + (state[i] === "A" ? "B" : "A") + state.slice(i + 1);
    const res = (await h.callRaw(
      "delete_identity",
      { identityId: fx.plain },
      { requestState: tampered, inputResponses: accept(nameOf(fx.plain)) },
    )) as Raw;
    expectRefused(res, "state-invalid", /altered or is not one this server issued/);
    expect(writeRequests(h.sandbox)).toEqual([]);
  });

  it("well-formed but sealed by someone else (a later exp, another key; or one field edited under the old MAC): only the MAC refuses it", async () => {
    await h.close();
    h = await keyed();
    const state = await askDelete(fx.plain);
    const { envelope, mac } = partsOf(state);
    const later = { ...envelope.p, exp: envelope.p.exp + 3_600_000 };
    const forged = [
      await codecUnder(randomBytes(32)).mint(later),
      `v1.${Buffer.from(JSON.stringify({ ...envelope, p: later })).toString("base64url")}.${mac}`,
      `v1.${Buffer.from(JSON.stringify({ ...envelope, p: { ...envelope.p, target: "x".repeat(22) } })).toString("base64url")}.${mac}`,
    ];
    for (const requestState of forged) {
      const res = (await h.callRaw(
        "delete_identity",
        { identityId: fx.plain },
        { requestState, inputResponses: accept(nameOf(fx.plain)) },
      )) as Raw;
      expectRefused(res, "state-invalid", /altered or is not one this server issued/);
    }
    expect(writeRequests(h.sandbox)).toEqual([]);
    // The control: the same later body sealed under the server's own key is accepted, so nothing but the MAC refused it.
    const resealed = await codecUnder(serverKey).mint(later);
    const done = (await h.callRaw(
      "delete_identity",
      { identityId: fx.plain },
      { requestState: resealed, inputResponses: accept(nameOf(fx.plain)) },
    )) as Raw;
    expect(text(done)).toContain("was deleted");
    expect(writeRequests(h.sandbox)).toHaveLength(1);
  });

  it("on another tenant (a server with the same key, the same identity and arguments, another tenant host)", async () => {
    await h.close();
    h = await keyed();
    const other = await keyed();
    try {
      // The sandboxes are seeded alike: the same identity, with the same name, under another tenant host.
      expect(other.sandbox.state.identities.get(fx.plain)?.name).toBe(nameOf(fx.plain));
      expect(other.backend.isc.tenant).not.toBe(h.backend.isc.tenant);
      const state = await askDelete(fx.plain);
      const res = (await other.callRaw(
        "delete_identity",
        { identityId: fx.plain },
        { requestState: state, inputResponses: accept(nameOf(fx.plain)) },
      )) as Raw;
      expect(res.isError).toBe(true);
      expect(text(res)).toMatch(/^delete_identity refused: nothing was changed[\s\S]*or another tenant/);
      expect(lastAudit(other)).toMatchObject({ outcome: "refused", reason: "state-mismatch", era: MODERN });
      expect(writeRequests(other.sandbox)).toEqual([]);
      expect(writeRequests(h.sandbox)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it("past --confirm-ttl on the guard's clock", async () => {
    const state = await askDelete(fx.plain);
    clock.advance(300_001);
    const res = (await h.callRaw(
      "delete_identity",
      { identityId: fx.plain },
      { requestState: state, inputResponses: accept(nameOf(fx.plain)) },
    )) as Raw;
    expectRefused(res, "state-expired", /has expired/);
    expect(writeRequests(h.sandbox)).toEqual([]);
  });

  it("without its answer, or with an answer that is not one: refused as such, and spent", async () => {
    const state = await askDelete(fx.plain);
    const res = (await h.callRaw(
      "delete_identity",
      { identityId: fx.plain },
      { requestState: state, inputResponses: { confirm: { yes: true } } },
    )) as Raw;
    expectRefused(res, "answer-invalid", /not an answer/);
    expect(writeRequests(h.sandbox)).toEqual([]);
  });
});

describe("a requestState whose channel this client can no longer be asked on (2026 HTTP: capabilities come per request)", () => {
  let hh: HttpHarness | undefined;
  afterEach(async () => {
    await hh?.close();
    hh = undefined;
  });

  it.each([
    [
      "strict: form and URL declared in round 1, URL only in round 2",
      "strict",
      { form: {}, url: {} },
      { url: {} },
      "url",
    ],
    ["auto: form declared in round 1, nothing in round 2", "auto", { form: {} }, undefined, "code"],
  ] as const)("%s: refused, 0 writes", async (_, mode, before, after, left) => {
    hh = await startHttpHarness(["--confirm", mode], {}, {}, { pages: true });
    const [asked, answering] = [
      await hh.connectModern({ capabilities: { elicitation: before } }),
      await hh.connectModern({ capabilities: after ? { elicitation: after } : {} }),
    ];
    const raw = (client: typeof asked, params: Record<string, unknown>) =>
      client.request({ method: "tools/call", params } as never, { allowInputRequired: true } as never) as Promise<Raw>;
    const { plain } = pickFixtures(hh.sandbox.state);
    const name = hh.sandbox.state.identities.get(plain)!.name;
    const first = await raw(asked, { name: "delete_identity", arguments: { identityId: plain } });
    expect(first.resultType).toBe("input_required");
    expect(Object.keys(first.inputRequests ?? {})).toEqual(["confirm"]);
    // The form's answer, typed right, sent by a request that no longer declares form elicitation.
    const res = await raw(answering, {
      name: "delete_identity",
      arguments: { identityId: plain },
      requestState: first.requestState,
      inputResponses: accept(name),
    });
    expect(res.resultType).toBeUndefined();
    expect(res.isError).toBe(true);
    expect(text(res)).toMatch(
      /^delete_identity refused: nothing was changed[\s\S]*asked on the form channel, which can no longer be used for this client/,
    );
    expect(hh.sandbox.requests.filter((r) => r.method !== "GET" && r.path !== "/oauth/token")).toEqual([]);
    expect(hh.sandbox.state.identities.has(plain)).toBe(true);
    expect(JSON.parse(hh.audit.at(-1)!)).toMatchObject({
      outcome: "refused",
      reason: "state-mismatch",
      confirmation: left,
      era: MODERN,
    });
  });
});

describe("a requestState carried to another signed-in person (HTTP, the 2026-07-28 leg, with sign-in)", () => {
  let idp: OidcFixture;
  let hh: HttpHarness;
  const ALL = ["identities:read", "identities:write", "identities:destructive"];
  beforeAll(async () => {
    idp = await startOidcProvider({
      accounts: [
        { sub: "ana", preferred_username: "ana.lead", scopes: ALL },
        { sub: "bo", preferred_username: "bo.other", scopes: ALL },
      ],
    });
    hh = await startSignedInHarness(idp, ["--confirm", "strict"]);
  }, 60_000);
  afterAll(async () => {
    await hh?.close();
    await idp?.close();
  });

  it("is refused for the other person, 0 writes; the asker's own answer then deletes once", async () => {
    const as = async (sub: string) =>
      hh.connectModern({
        headers: { authorization: `Bearer ${await idp.token(sub, ALL, { resource: AUDIENCE })}` },
        capabilities: { elicitation: { form: {} } },
      });
    const [ana, bo] = [await as("ana"), await as("bo")];
    const raw = (client: typeof ana, params: Record<string, unknown>) =>
      client.request({ method: "tools/call", params } as never, { allowInputRequired: true } as never) as Promise<Raw>;
    const { plain } = pickFixtures(hh.sandbox.state);
    const name = hh.sandbox.state.identities.get(plain)!.name;
    const first = await raw(ana, { name: "delete_identity", arguments: { identityId: plain } });
    expect(first.resultType).toBe("input_required");
    const retry = {
      name: "delete_identity",
      arguments: { identityId: plain },
      requestState: first.requestState,
      inputResponses: accept(name),
    };
    const bos = await raw(bo, retry);
    expect(bos.isError).toBe(true);
    expect(text(bos)).toMatch(/^delete_identity refused: nothing was changed[\s\S]*asked for another person's call/);
    expect(hh.sandbox.requests.filter((r) => r.method !== "GET" && r.path !== "/oauth/token")).toEqual([]);
    const audit = hh.audit.map(
      (l) => JSON.parse(l) as { reason?: string; actor?: { sub: string }; era?: string; outcome: string },
    );
    expect(audit.at(-1)).toMatchObject({
      outcome: "refused",
      reason: "state-other-person",
      actor: { sub: "bo" },
      era: MODERN,
    });
    // Bo's attempt did not spend Ana's state.
    const anas = await raw(ana, retry);
    expect(anas.isError).toBeFalsy();
    expect(hh.sandbox.state.deleted).toEqual([plain]);
  });
});

// A confirmation's requestState (2026-07-28, where it travels through the client): used once, for its own call only, unaltered, in time, by its own person.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pickFixtures, type Fixtures } from "../../src/sandbox/index.js";
import { lastAudit, manualClock, writeRequests } from "../support/guard-helpers.js";
import { textOf } from "../support/harness.js";
import { startModernHarness, MODERN, type ModernHarness } from "../support/modern-harness.js";
import { startSignedInHarness, type HttpHarness } from "../support/http-harness.js";
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
  expect(lastAudit(h as never)).toMatchObject({ outcome: "refused", reason, era: MODERN });
}

beforeEach(async () => {
  clock = manualClock(Date.now());
  h = await startModernHarness({
    argv: ["--confirm", "strict", "--confirm-ttl", "300"],
    sandbox: { identities: 60 },
    capabilities: { elicitation: { form: {} } },
    now: clock.now,
  });
  fx = pickFixtures(h.sandbox.state);
});
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

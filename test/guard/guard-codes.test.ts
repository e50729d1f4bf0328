// The guard with a client that cannot elicit: preview + single-use code bound to tool, arguments, tenant and target.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pickFixtures, type Fixtures } from "../../src/sandbox/index.js";
import { canonicalJson, createCodeBook } from "../../src/guard/codes.js";
import { createMemoryStore } from "../../src/guard/index.js";
import { textOf } from "../support/harness.js";
import { ERAS, type EraHarness } from "../support/both-eras.js";
import { lastAudit, manualClock, writeRequests } from "../support/guard-helpers.js";

type Confirmation = {
  status: string;
  confirmationCode: string;
  codeExpiresAt: string;
  preview: { action: string; identity?: { id: string; name: string }; count?: number };
};

let h: EraHarness;
let fx: Fixtures;
const clock = manualClock();

async function preview(tool: string, args: Record<string, unknown>): Promise<Confirmation> {
  const res = await h.call(tool, args);
  expect(res.isError, textOf(res)).toBeFalsy();
  return res.structuredContent as Confirmation;
}

// Codes are the same in both eras: a client without elicitation, 2025 or 2026, gets a preview and a code.
describe.each(ERAS)("$name", ({ era, start: startHarness }) => {
  beforeEach(async () => {
    h = await startHarness({ sandbox: { identities: 60 }, now: clock.now, argv: ["--confirm", "auto"] });
    fx = pickFixtures(h.sandbox.state);
  });
  afterEach(() => h.close());

  describe("confirmation codes through a client without elicitation", () => {
    it("first call: a preview and a code, nothing written; second call with the code: written", async () => {
      const identity = h.sandbox.state.identities.get(fx.plain)!;
      const res = await h.call("delete_identity", { identityId: fx.plain });
      expect(res.isError).toBeFalsy();
      const first = res.structuredContent as Confirmation;
      expect(first.status).toBe("confirmation_required");
      expect(first.preview).toMatchObject({
        action: "Delete this identity from ISC. This cannot be undone.",
        identity: { id: fx.plain, name: identity.name, email: identity.emailAddress, status: "ACTIVE" },
      });
      expect(first.codeExpiresAt).toBe(new Date(clock.now() + 300_000).toISOString());
      expect(textOf(res)).toMatch(/^Confirmation required: nothing has been changed yet\./);
      expect(textOf(res)).toContain(
        `Only if they agree, call delete_identity again with the same arguments plus confirmationCode "${first.confirmationCode}"`,
      );
      expect(writeRequests(h.sandbox)).toEqual([]);
      expect(lastAudit(h)).toMatchObject({
        era,
        outcome: "refused",
        reason: "confirmation-required",
        confirmation: "code",
      });

      const done = await h.call("delete_identity", { identityId: fx.plain, confirmationCode: first.confirmationCode });
      expect(done.isError, textOf(done)).toBeFalsy();
      expect(done.structuredContent).toEqual({ status: "executed" });
      expect(h.sandbox.state.identities.has(fx.plain)).toBe(false);
      expect(writeRequests(h.sandbox)).toEqual([
        expect.objectContaining({ method: "DELETE", path: `/v2025/identities/${fx.plain}` }),
      ]);
      expect(lastAudit(h)).toMatchObject({ era, outcome: "executed", confirmation: "code", httpStatus: 204 });
    });

    it("refuses a wrong code, a tampered code, and a code for other arguments", async () => {
      const { confirmationCode } = await preview("send_identity_verification_account_token", {
        identityId: fx.plain,
        via: "EMAIL_WORK",
      });
      const last = confirmationCode.at(-1) === "A" ? "B" : "A";
      const attempts: Array<Record<string, unknown>> = [
        { identityId: fx.plain, via: "EMAIL_WORK", confirmationCode: "123456" },
        { identityId: fx.plain, via: "EMAIL_WORK", confirmationCode: confirmationCode.slice(0, -1) + last },
        { identityId: fx.plain, via: "EMAIL_PERSONAL", confirmationCode },
        { identityId: fx.plain, via: "EMAIL_WORK", sourceName: "Active Directory", confirmationCode },
        { identityId: fx.manager, via: "EMAIL_WORK", confirmationCode },
      ];
      for (const args of attempts) {
        const res = await h.call("send_identity_verification_account_token", args);
        expect(res.isError, JSON.stringify(args)).toBe(true);
        expect(textOf(res)).toMatch(
          /^send_identity_verification_account_token refused: nothing was changed\. No email was sent\./,
        );
        expect(textOf(res)).toMatch(/not issued for this tool with these exact arguments on this tenant/);
        expect(lastAudit(h)).toMatchObject({ era, outcome: "refused", reason: "code-mismatch" });
      }
      // A code for one tool does not work for another with the same arguments.
      const reset = await h.call("reset_identity", { identityId: fx.plain, confirmationCode });
      expect(textOf(reset)).toMatch(/not issued for this tool/);
      expect(writeRequests(h.sandbox)).toEqual([]);
      expect(h.sandbox.state.verificationSends).toEqual([]);
      // The genuine code was not spent by the failed attempts.
      const ok = await h.call("send_identity_verification_account_token", {
        identityId: fx.plain,
        via: "EMAIL_WORK",
        confirmationCode,
      });
      expect(ok.isError, textOf(ok)).toBeFalsy();
      expect(h.sandbox.state.verificationSends).toHaveLength(1);
    });

    it("refuses a code from another process or from before a restart as such, not as one for other arguments", async () => {
      await h.close();
      h = await startHarness({ sandbox: { identities: 60 }, argv: ["--confirm", "auto"], now: clock.now });
      fx = pickFixtures(h.sandbox.state);
      const args = { identityId: fx.plain, via: "EMAIL_WORK" };
      const { confirmationCode } = await preview("send_identity_verification_account_token", args);
      const [issued, origin, ...rest] = confirmationCode.split(".");
      expect(origin).toMatch(/^[\w-]{8}$/);
      // Another process's name in it (each run names itself); and the four-part code of the version before this one.
      const elsewhere = [
        [issued, origin === "AAAAAAAA" ? "BBBBBBBB" : "AAAAAAAA", ...rest].join("."),
        [issued, ...rest].join("."),
      ];
      for (const code of elsewhere) {
        const res = await h.call("send_identity_verification_account_token", { ...args, confirmationCode: code });
        expect(res.isError).toBe(true);
        expect(textOf(res)).toContain(
          "Why: the confirmation code was issued before this server (re)started or by another server process (or, with Redis, before Redis last restarted or was out of reach), so whether it was already used cannot be known.",
        );
        expect(textOf(res)).toContain("Next step: Call again without confirmationCode to get a fresh preview and code");
        expect(lastAudit(h)).toMatchObject({ era, outcome: "refused", reason: "code-untracked", confirmation: "code" });
      }
      expect(h.sandbox.state.verificationSends).toEqual([]);
      // This process's own code, with other arguments, is still a mismatch; with its own arguments it works.
      expect(
        textOf(
          await h.call("send_identity_verification_account_token", {
            ...args,
            via: "EMAIL_PERSONAL",
            confirmationCode,
          }),
        ),
      ).toMatch(/not issued for this tool with these exact arguments/);
      expect(
        (await h.call("send_identity_verification_account_token", { ...args, confirmationCode })).isError,
      ).toBeFalsy();
      expect(h.sandbox.state.verificationSends).toHaveLength(1);
    });

    it("refuses an expired code (injected clock)", async () => {
      const { confirmationCode } = await preview("reset_identity", { identityId: fx.plain });
      clock.advance(300_001);
      const res = await h.call("reset_identity", { identityId: fx.plain, confirmationCode });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/the confirmation code has expired/);
      expect(writeRequests(h.sandbox)).toEqual([]);
      expect(lastAudit(h)).toMatchObject({ era, outcome: "refused", reason: "code-expired" });
    });

    it("accepts a code up to its last millisecond", async () => {
      const { confirmationCode } = await preview("reset_identity", { identityId: fx.plain });
      clock.advance(300_000);
      expect((await h.call("reset_identity", { identityId: fx.plain, confirmationCode })).isError).toBeFalsy();
      expect(h.sandbox.state.resets).toHaveLength(1);
    });

    it("refuses a code used twice: one write only", async () => {
      const { confirmationCode } = await preview("reset_identity", { identityId: fx.plain });
      expect((await h.call("reset_identity", { identityId: fx.plain, confirmationCode })).isError).toBeFalsy();
      const again = await h.call("reset_identity", { identityId: fx.plain, confirmationCode });
      expect(again.isError).toBe(true);
      // The reset changed the status, but "used" is what the agent must hear.
      expect(textOf(again)).toMatch(/already used; each code works once/);
      expect(h.sandbox.state.resets).toHaveLength(1);
      expect(writeRequests(h.sandbox)).toHaveLength(1);
      expect(lastAudit(h)).toMatchObject({ era, outcome: "refused", reason: "code-used" });
    });

    it("refuses when the identity changed between preview and act", async () => {
      const { confirmationCode } = await preview("delete_identity", { identityId: fx.plain });
      h.sandbox.state.identities.get(fx.plain)!.name = "Renamed.Person";
      const res = await h.call("delete_identity", { identityId: fx.plain, confirmationCode });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/the identity changed since the preview/);
      expect(h.sandbox.state.identities.has(fx.plain)).toBe(true);
      expect(writeRequests(h.sandbox)).toEqual([]);
      expect(lastAudit(h)).toMatchObject({ era, outcome: "refused", reason: "target-changed" });
    });

    it("spends a genuine code even when its redemption is refused: changing the identity back does not revive it", async () => {
      const identity = h.sandbox.state.identities.get(fx.plain)!;
      const original = identity.name;
      const { confirmationCode } = await preview("delete_identity", { identityId: fx.plain });
      identity.name = "Renamed.Person";
      const changed = await h.call("delete_identity", { identityId: fx.plain, confirmationCode });
      expect(textOf(changed)).toMatch(/the identity changed since the preview/);
      identity.name = original;
      const again = await h.call("delete_identity", { identityId: fx.plain, confirmationCode });
      expect(again.isError).toBe(true);
      expect(textOf(again)).toMatch(/already used; each code works once/);
      expect(h.sandbox.state.identities.has(fx.plain)).toBe(true);
      expect(writeRequests(h.sandbox)).toEqual([]);
      expect(lastAudit(h)).toMatchObject({ era, outcome: "refused", reason: "code-used" });
    });

    it("refuses when the identity is gone by the time the code comes back", async () => {
      const { confirmationCode } = await preview("reset_identity", { identityId: fx.plain });
      h.sandbox.state.identities.delete(fx.plain);
      const res = await h.call("reset_identity", { identityId: fx.plain, confirmationCode });
      expect(textOf(res)).toMatch(/refused: nothing was changed[\s\S]*does not exist \(ISC answered 404\)/);
      expect(writeRequests(h.sandbox)).toEqual([]);
      expect(lastAudit(h)).toMatchObject({ era, outcome: "refused", reason: "target-gone", httpStatus: 404 });
    });

    it("gives mass actions a count preview and honours the code", async () => {
      const ids = [...h.sandbox.state.identities.keys()].slice(0, 12);
      const first = await preview("start_identity_processing", { identityIds: ids });
      expect(first.preview).toEqual({
        action:
          "Start identity processing for 12 identities (recalculates attributes, roles, access and lifecycle states).",
        count: 12,
      });
      const reordered = await h.call("start_identity_processing", {
        identityIds: [...ids].reverse(),
        confirmationCode: first.confirmationCode,
      });
      expect(textOf(reordered)).toMatch(/not issued for this tool with these exact arguments/);
      const done = await h.call("start_identity_processing", {
        identityIds: ids,
        confirmationCode: first.confirmationCode,
      });
      expect(done.structuredContent).toMatchObject({ status: "executed", identityCount: 12 });
      expect(h.sandbox.state.processed).toHaveLength(1);
    });
  });

  describe("--confirm strict", () => {
    it("refuses every guarded call from a client that cannot elicit, and offers no code", async () => {
      await h.close();
      h = await startHarness({ sandbox: { identities: 60 }, argv: ["--confirm", "strict"] });
      fx = pickFixtures(h.sandbox.state);
      for (const [tool, args] of [
        ["delete_identity", { identityId: fx.plain }],
        ["start_identities_invite", { uninvited: true }],
      ] as const) {
        const res = await h.call(tool, args);
        expect(res.isError).toBe(true);
        expect(textOf(res)).toMatch(new RegExp(`^${tool} refused: nothing was changed\\.`));
        expect(textOf(res)).toMatch(/--confirm strict[\s\S]*does not support elicitation/);
        expect(textOf(res)).not.toMatch(/confirmationCode "/);
        expect(lastAudit(h)).toMatchObject({
          era,
          tool,
          outcome: "refused",
          reason: "elicitation-required",
          confirmation: "none-available",
        });
      }
      // Calls that need no confirmation still work.
      expect((await h.call("start_identity_processing", { identityIds: [fx.plain] })).isError).toBeFalsy();
      expect(writeRequests(h.sandbox).map((r) => r.path)).toEqual(["/v2025/identities/process"]);
    });
  });
});

describe("code book", () => {
  const binding = {
    tool: "delete_identity",
    tenant: "acme.api.identitynow.com",
    args: { identityId: "abc" },
    target: '["abc","Ann"]',
  };
  const book = (key = "k".repeat(32), now = () => 1_000) =>
    createCodeBook({ key, sharedKey: true, ttlMs: 60_000, now, store: createMemoryStore() });

  it("binds the tenant and the key", async () => {
    const b = book();
    const { code } = b.issue(binding);
    expect(await b.redeem(code, { ...binding, tenant: "evil.api.identitynow.com" })).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(await book("x".repeat(32)).redeem(code, binding)).toEqual({ ok: false, reason: "mismatch" });
    expect(await b.redeem(code, binding)).toEqual({ ok: true });
  });

  it("binds the signed-in asker: A's code and A's pending confirmation answer no call of B's", async () => {
    const b = book();
    const { code } = b.issue({ ...binding, asker: "ana" });
    expect(b.bindingKey({ ...binding, asker: "ana" })).not.toBe(b.bindingKey({ ...binding, asker: "bob" }));
    expect(b.bindingKey({ ...binding, asker: "ana" })).not.toBe(b.bindingKey(binding));
    expect(await b.redeem(code, { ...binding, asker: "bob" })).toEqual({ ok: false, reason: "mismatch" });
    expect(await b.redeem(code, binding)).toEqual({ ok: false, reason: "mismatch" });
    expect(await b.redeem(code, { ...binding, asker: "ana" })).toEqual({ ok: true });
  });

  it("does not reveal the target in the code", () => {
    const { code } = book().issue(binding);
    expect(code).not.toContain("Ann");
    expect(code).not.toContain("abc");
  });

  it("signs equal arguments equally, whatever their key order", () => {
    expect(canonicalJson({ b: 1, a: [1, { d: undefined, c: "x" }] })).toBe('{"a":[1,{"c":"x"}],"b":1}');
  });
});

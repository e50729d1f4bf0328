// The six write tools doing their job through a real MCP client: requests ISC sees, sandbox state, and what the agent reads.
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures, type Fixtures } from "../../src/sandbox/index.js";
import { TOOLS } from "../../tools/index.js";
import { textOf, type HarnessOptions } from "../support/harness.js";
import { ERAS, type EraHarness } from "../support/both-eras.js";
import { lastAudit, manualClock, scriptedHuman, writeRequests } from "../support/guard-helpers.js";

let h: EraHarness;
let fx: Fixtures;
let listed: Array<{ name: string; outputSchema?: unknown }>;

describe.each(ERAS)("$name", ({ start: startEra }) => {
  const human = scriptedHuman();
  async function start(opts: HarnessOptions = {}): Promise<void> {
    h = await startEra({ sandbox: { identities: 60, ...opts.sandbox }, onElicit: human.onElicit, ...opts });
    fx = pickFixtures(h.sandbox.state);
    // Listed first, so each era's client holds the output schemas and checks every structuredContent below against them.
    listed = (await h.client.listTools()).tools;
  }
  afterEach(() => h.close());

  describe("structured output", () => {
    it("every write tool lists an object output schema whose properties include status", async () => {
      await start();
      const writes = TOOLS.filter((t) => t.kind !== "read").map((t) => t.name);
      expect(writes).toHaveLength(6);
      for (const name of writes) {
        const schema = listed.find((t) => t.name === name)?.outputSchema as
          { type?: string; properties?: Record<string, unknown> } | undefined;
        expect(schema?.type, name).toBe("object");
        expect(Object.keys(schema?.properties ?? {}), name).toContain("status");
      }
    });
  });

  describe("write tools without confirmation", () => {
    it("synchronize_attributes_for_identity starts a job, then refuses a repeat within 10 s without calling ISC", async () => {
      const clock = manualClock();
      await start({ now: clock.now, sandbox: { now: clock.now } });
      const res = await h.call("synchronize_attributes_for_identity", { identityId: fx.plain });
      expect(res.isError).toBeFalsy();
      const sync = h.sandbox.state.syncs;
      expect(sync).toHaveLength(1);
      expect(res.structuredContent).toEqual({ status: "executed", jobId: sync[0]!.jobId, jobStatus: "QUEUED" });
      expect(textOf(res)).toContain(`job ${sync[0]!.jobId}, status QUEUED`);
      expect(textOf(res)).toMatch(
        /No ISC endpoint reads a sync job back: check get_identity for this identity in a minute/,
      );
      expect(lastAudit(h)).toMatchObject({
        tool: "synchronize_attributes_for_identity",
        targetIds: [fx.plain],
        outcome: "executed",
        confirmation: "none-needed",
        httpStatus: 202,
        taskId: sync[0]!.jobId,
      });

      clock.advance(4_000);
      const again = await h.call("synchronize_attributes_for_identity", { identityId: fx.plain });
      expect(again.isError).toBe(true);
      expect(textOf(again)).toMatch(/^synchronize_attributes_for_identity refused: nothing was changed\./);
      expect(textOf(again)).toMatch(/Retry after 6 s\./);
      expect(writeRequests(h.sandbox)).toHaveLength(1);
      expect(lastAudit(h)).toMatchObject({ outcome: "refused", reason: "too-soon" });

      // Another identity is not held back, and the same one may go again once 10 s have passed.
      expect((await h.call("synchronize_attributes_for_identity", { identityId: fx.owner })).isError).toBeFalsy();
      clock.advance(6_000);
      expect((await h.call("synchronize_attributes_for_identity", { identityId: fx.plain })).isError).toBeFalsy();
      expect(h.sandbox.state.syncs.map((s) => s.identityId)).toEqual([fx.plain, fx.owner, fx.plain]);
    });

    it("start_identity_processing de-duplicates ids and runs a small batch at once, as an asynchronous task", async () => {
      await start();
      const ids = [fx.plain, fx.owner, fx.plain];
      const res = await h.call("start_identity_processing", { identityIds: ids });
      expect(res.isError).toBeFalsy();
      const processed = h.sandbox.state.processed;
      expect(processed).toEqual([expect.objectContaining({ identityIds: [fx.plain, fx.owner] })]);
      expect(res.structuredContent).toEqual({ status: "executed", identityCount: 2, taskId: processed[0]!.taskId });
      expect(textOf(res)).toMatch(/started for 2 identities: task [0-9a-f-]{36}\. It runs asynchronously/);
      expect(JSON.parse(writeRequests(h.sandbox)[0]!.body)).toEqual({ identityIds: [fx.plain, fx.owner] });
      expect(human.seen).toHaveLength(0);
    });

    it("start_identities_invite invites a few ids at once and says invitations expire after 7 days", async () => {
      await start();
      const res = await h.call("start_identities_invite", { ids: [fx.unregistered, fx.plain] });
      expect(res.isError).toBeFalsy();
      const invites = h.sandbox.state.invites;
      expect(invites).toEqual([expect.objectContaining({ ids: [fx.unregistered, fx.plain], uninvited: false })]);
      expect(res.structuredContent).toMatchObject({
        status: "executed",
        taskId: invites[0]!.taskId,
        taskStatus: "QUEUED",
        invitationsExpireAfterDays: 7,
      });
      expect(textOf(res)).toMatch(/expires after 7 days/);
      expect(lastAudit(h)).toMatchObject({
        tool: "start_identities_invite",
        targetIds: [fx.unregistered, fx.plain],
        outcome: "executed",
        confirmation: "none-needed",
      });
    });

    it("validates arguments before any request: ids or uninvited, 1..250 ids, via's four values", async () => {
      await start();
      h.sandbox.clearRequests();
      const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        ["start_identities_invite", {}, /give ids, or uninvited: true/],
        ["start_identities_invite", { ids: [fx.plain], uninvited: true }, /not both/],
        ["start_identities_invite", { ids: [] }, /ids/],
        ["start_identity_processing", { identityIds: [] }, /identityIds/],
        ["start_identity_processing", { identityIds: Array.from({ length: 251 }, (_, i) => `id${i}`) }, /identityIds/],
        ["start_identity_processing", { identityIds: ["../x"] }, /identityIds/],
        ["send_identity_verification_account_token", { identityId: fx.plain, via: "SMS" }, /via/],
        ["delete_identity", { identityId: "a/b" }, /identityId/],
      ];
      for (const [tool, args, message] of cases) {
        const res = await h.call(tool, args);
        expect(res.isError, tool).toBe(true);
        expect(textOf(res)).toMatch(new RegExp(`^Invalid arguments for tool "${tool}":`));
        expect(textOf(res)).toMatch(message);
      }
      expect(h.sandbox.requests.filter((r) => r.path !== "/oauth/token")).toHaveLength(0);
    });
  });

  describe("write tools confirmed by the human", () => {
    it("send_identity_verification_account_token emails a reset link valid for 2 hours once the human says yes", async () => {
      await start();
      human.answer(() => ({ action: "accept", content: { confirm: true } }));
      const res = await h.call("send_identity_verification_account_token", {
        identityId: fx.plain,
        via: "EMAIL_WORK",
        sourceName: "Active Directory",
      });
      expect(res.isError).toBeFalsy();
      expect(h.sandbox.state.verificationSends).toEqual([
        expect.objectContaining({ identityId: fx.plain, via: "EMAIL_WORK", sourceName: "Active Directory" }),
      ]);
      expect(res.structuredContent).toEqual({ status: "executed", linkExpiresAfterHours: 2 });
      const name = h.sandbox.state.identities.get(fx.plain)!.name;
      expect(textOf(res)).toBe(
        `Password-reset link sent to "${name}" via EMAIL_WORK for the account on source "Active Directory". The link expires after 2 hours; if it lapses, send a new one.`,
      );
      expect(human.seen.at(-1)!.schema).toMatchObject({
        properties: { confirm: { type: "boolean" } },
        required: ["confirm"],
      });
    });

    it("send refuses without asking when the identity has no work email", async () => {
      await start();
      const id = [...h.sandbox.state.identities.values()].find((i) => i.emailAddress === null)?.id ?? fx.plain;
      const target = h.sandbox.state.identities.get(id)!;
      target.emailAddress = null;
      delete target.attributes["email"];
      const before = human.seen.length;
      const res = await h.call("send_identity_verification_account_token", { identityId: id, via: "EMAIL_WORK" });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/has no work email address/);
      expect(human.seen).toHaveLength(before);
      expect(writeRequests(h.sandbox)).toHaveLength(0);
    });

    it("reset_identity de-registers the identity after the human types its name", async () => {
      await start();
      const identity = h.sandbox.state.identities.get(fx.plain)!;
      human.answer(() => ({ action: "accept", content: { name: identity.name } }));
      const res = await h.call("reset_identity", { identityId: fx.plain });
      expect(res.isError).toBeFalsy();
      expect(identity.identityStatus).toBe("UNREGISTERED");
      expect(h.sandbox.state.resets.map((r) => r.identityId)).toEqual([fx.plain]);
      expect(writeRequests(h.sandbox)).toEqual([
        expect.objectContaining({ method: "POST", path: `/v2025/identities/${fx.plain}/reset` }),
      ]);
      expect(res.structuredContent).toEqual({ status: "executed" });
      expect(textOf(res)).toMatch(
        /was reset: ISC accepted it and finishes asynchronously, with no task to follow: check get_identity .*\. The person is de-registered/,
      );
      expect(lastAudit(h)).toMatchObject({
        tool: "reset_identity",
        outcome: "executed",
        confirmation: "form",
        httpStatus: 202,
      });
    });

    it("delete_identity deletes after the human types the alias, and the identity is gone", async () => {
      await start();
      const identity = h.sandbox.state.identities.get(fx.plain)!;
      human.answer(() => ({ action: "accept", content: { name: ` ${identity.alias} ` } }));
      const res = await h.call("delete_identity", { identityId: fx.plain });
      expect(res.isError).toBeFalsy();
      expect(textOf(res)).toBe(`Identity "${identity.name}" (id ${fx.plain}) was deleted.`);
      expect(h.sandbox.state.identities.has(fx.plain)).toBe(false);
      expect(h.sandbox.state.deleted).toEqual([fx.plain]);
      const message = human.seen.at(-1)!.message;
      expect(message).toContain(`name: "${identity.name}"`);
      expect(message).toContain(`email: "${identity.emailAddress}"`);
      expect(message).toMatch(/type the identity's name \(or alias\) exactly/);
      const gone = await h.call("get_identity", { identityId: fx.plain });
      expect(textOf(gone)).toMatch(/HTTP 404/);
    });

    it("delete_identity reads ownership again after the human's yes: what it came to own meanwhile is listed, and no DELETE is sent", async () => {
      await start();
      const identity = h.sandbox.state.identities.get(fx.plain)!;
      const owned = h.sandbox.state.ownership.get(fx.owner)!;
      human.answer(() => {
        // Between the human's yes and the DELETE, the identity becomes an owner.
        h.sandbox.state.ownership.set(fx.plain, owned);
        return { action: "accept", content: { name: identity.name } };
      });
      const res = await h.call("delete_identity", { identityId: fx.plain });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(
        /^delete_identity refused: nothing was changed\. The identity was not deleted\.\nWhy: it can no longer succeed \(this changed while the user was confirming\)/,
      );
      expect(textOf(res)).toContain(`"${owned[0]!.entities[0]!.identityEntity.name}"`);
      expect(h.sandbox.state.identities.has(fx.plain)).toBe(true);
      expect(writeRequests(h.sandbox)).toEqual([]);
      expect(lastAudit(h)).toMatchObject({ outcome: "refused", reason: "blocked", confirmation: "form" });
    });

    it("delete_identity turns ISC's own 400 (ownership our reads did not see) into the list of what the identity owns, and nothing is deleted", async () => {
      await start();
      const identity = h.sandbox.state.identities.get(fx.plain)!;
      const owned = h.sandbox.state.ownership.get(fx.owner)!;
      h.sandbox.state.ownership.set(fx.plain, owned);
      // Our ownership reads (preview and re-check) answer "owns nothing"; ISC's DELETE then checks for itself.
      h.sandbox.inject({
        method: "GET",
        path: `/v2025/identities/${fx.plain}/ownership`,
        body: JSON.stringify({ associationDetails: [] }),
        count: 5,
      });
      human.answer(() => ({ action: "accept", content: { name: identity.name } }));
      const res = await h.call("delete_identity", { identityId: fx.plain });
      expect(res.isError).toBe(true);
      const text = textOf(res);
      expect(text).toMatch(
        /^delete_identity failed: ISC refused the delete, so nothing was changed\. The identity was not deleted\.\nISC said: /,
      );
      const entity = owned[0]!.entities[0]!.identityEntity;
      expect(text).toContain(`- the identity owns ${owned[0]!.associationType}`);
      expect(text).toContain(`"${entity.name}"`);
      expect(text).toMatch(/Next step: /);
      expect(h.sandbox.state.identities.has(fx.plain)).toBe(true);
      expect(writeRequests(h.sandbox)).toEqual([
        expect.objectContaining({ method: "DELETE", path: `/v2025/identities/${fx.plain}` }),
      ]);
      expect(h.sandbox.requests.find((r) => r.method === "DELETE")?.status).toBe(400);
      expect(lastAudit(h)).toMatchObject({ tool: "delete_identity", outcome: "failed", httpStatus: 400 });
    });
  });
});

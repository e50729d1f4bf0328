// Mass actions count over a window: batches one tool sends to one tenant add up toward --confirm-threshold, as if sent at once.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { textOf, type Harness } from "../support/harness.js";
import { ERAS, type EraHarness } from "../support/both-eras.js";
import { lastAudit, manualClock, writeRequests } from "../support/guard-helpers.js";

let h: EraHarness;
let ids: string[];
const clock = manualClock();

const status = (res: Awaited<ReturnType<Harness["call"]>>) => (res.structuredContent as { status: string }).status;

// The window is the guard's, whichever era the batches come in.
describe.each(ERAS)("$name", ({ era, start: startHarness }) => {
  beforeEach(async () => {
    h = await startHarness({ sandbox: { identities: 60 }, now: clock.now, argv: ["--confirm", "auto"] });
    ids = [...h.sandbox.state.identities.keys()];
  });
  afterEach(() => h.close());

  describe("mass actions over --confirm-window (default 15 min, threshold 10)", () => {
    it("2 x 10 invites within the window: the second needs confirmation, like 20 at once", async () => {
      const first = await h.call("start_identities_invite", { ids: ids.slice(0, 10) });
      expect(status(first), textOf(first)).toBe("executed");
      clock.advance(14 * 60_000);
      const second = await h.call("start_identities_invite", { ids: ids.slice(10, 20) });
      expect(status(second), textOf(second)).toBe("confirmation_required");
      expect(second.structuredContent).toMatchObject({ preview: { count: 10 } });
      expect(textOf(second)).toContain("With earlier calls: 20 identities in the last 15 min (batches add up).");
      expect(h.sandbox.state.invites).toHaveLength(1);
      expect(lastAudit(h)).toMatchObject({
        era,
        tool: "start_identities_invite",
        outcome: "refused",
        reason: "confirmation-required",
        confirmation: "code",
      });
      // 20 at once is the same decision.
      expect(status(await h.call("start_identities_invite", { ids: ids.slice(20, 40) }))).toBe("confirmation_required");
    });

    it("processing batches of 10: every batch after the first needs confirmation; the code still works", async () => {
      expect(status(await h.call("start_identity_processing", { identityIds: ids.slice(0, 10) }))).toBe("executed");
      for (let batch = 1; batch < 5; batch++) {
        const res = await h.call("start_identity_processing", { identityIds: ids.slice(batch * 10, batch * 10 + 10) });
        expect(status(res), `batch ${batch}`).toBe("confirmation_required");
      }
      expect(h.sandbox.state.processed).toHaveLength(1);
      const args = { identityIds: ids.slice(10, 20) };
      const { confirmationCode } = (await h.call("start_identity_processing", args)).structuredContent as {
        confirmationCode: string;
      };
      const done = await h.call("start_identity_processing", { ...args, confirmationCode });
      expect(status(done), textOf(done)).toBe("executed");
      expect(h.sandbox.state.processed).toHaveLength(2);
    });

    it("counts distinct identities: the same 10 again stay at 10; past the window the count starts over", async () => {
      expect(status(await h.call("start_identity_processing", { identityIds: ids.slice(0, 10) }))).toBe("executed");
      expect(status(await h.call("start_identity_processing", { identityIds: ids.slice(0, 10) }))).toBe("executed");
      clock.advance(15 * 60_000 + 1);
      expect(status(await h.call("start_identity_processing", { identityIds: ids.slice(10, 20) }))).toBe("executed");
      expect(writeRequests(h.sandbox)).toHaveLength(3);
    });

    it("keeps one window per tool: 10 invites and 10 processed need no confirmation", async () => {
      expect(status(await h.call("start_identities_invite", { ids: ids.slice(0, 10) }))).toBe("executed");
      expect(status(await h.call("start_identity_processing", { identityIds: ids.slice(10, 20) }))).toBe("executed");
    });

    it("--confirm-window sets the window", async () => {
      await h.close();
      h = await startHarness({
        sandbox: { identities: 60 },
        now: clock.now,
        argv: ["--confirm", "auto", "--confirm-window", "60"],
      });
      expect(status(await h.call("start_identity_processing", { identityIds: ids.slice(0, 10) }))).toBe("executed");
      clock.advance(61_000);
      expect(status(await h.call("start_identity_processing", { identityIds: ids.slice(10, 20) }))).toBe("executed");
      const third = await h.call("start_identity_processing", { identityIds: ids.slice(20, 30) });
      expect(status(third)).toBe("confirmation_required");
      expect(textOf(third)).toContain("With earlier calls: 20 identities in the last 1 min");
    });
  });
});

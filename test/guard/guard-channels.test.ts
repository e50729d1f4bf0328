// Choosing the confirmation channel: once per confirmation, from what the client declared, --confirm and --confirm-via.
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";
import { pickFixtures } from "../../src/sandbox/index.js";
import { textOf, type Harness, type HarnessOptions } from "../support/harness.js";
import { ERAS, type EraHarness } from "../support/both-eras.js";
import { lastAudit, scriptedHuman, writeRequests } from "../support/guard-helpers.js";

let h: EraHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const human = scriptedHuman();
const status = (res: Awaited<ReturnType<Harness["call"]>>) =>
  (res.structuredContent as { status?: string } | undefined)?.status;

// The channel is chosen from what the client declared, whichever era it speaks.
describe.each(ERAS)("$name", ({ era, start: startEra }) => {
  async function start(opts: HarnessOptions): Promise<{ h: EraHarness; id: string }> {
    human.seen.length = 0;
    h = await startEra({ sandbox: { identities: 30 }, ...opts });
    return { h, id: pickFixtures(h.sandbox.state).plain };
  }

  describe("confirmation channels", () => {
    it("an empty elicitation capability ({}) means form: the human is asked, the audit says form", async () => {
      const { h, id } = await start({ capabilities: { elicitation: {} }, onElicit: human.onElicit });
      human.answer(() => ({ action: "decline" }));
      const res = await h.call("reset_identity", { identityId: id });
      expect(res.isError).toBe(true);
      expect(human.seen).toHaveLength(1);
      expect(lastAudit(h)).toMatchObject({ era, outcome: "refused", reason: "declined", confirmation: "form" });
      expect(writeRequests(h.sandbox)).toEqual([]);
    });

    it("a client declaring only URL elicitation is never sent a form: auto mode falls back to the code", async () => {
      const { h, id } = await start({
        capabilities: { elicitation: { url: {} } },
        onElicit: human.onElicit,
        argv: ["--confirm", "auto"],
      });
      const res = await h.call("reset_identity", { identityId: id });
      expect(status(res), textOf(res)).toBe("confirmation_required");
      expect(human.seen).toHaveLength(0);
      expect(lastAudit(h)).toMatchObject({ era, reason: "confirmation-required", confirmation: "code" });
      expect(writeRequests(h.sandbox)).toEqual([]);
    });

    it("strict mode with no human channel refuses before reading anything, and says what would work", async () => {
      const { h, id } = await start({ capabilities: { elicitation: { url: {} } }, argv: ["--confirm", "strict"] });
      h.sandbox.clearRequests();
      const res = await h.call("delete_identity", { identityId: id });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/^delete_identity refused: nothing was changed\. The identity was not deleted\./);
      expect(textOf(res)).toMatch(/--confirm strict/);
      expect(textOf(res)).toMatch(/an MCP client that supports form elicitation/);
      expect(textOf(res)).not.toMatch(/confirmationCode/);
      expect(h.sandbox.requests.filter((r) => r.path !== "/oauth/token")).toEqual([]);
      expect(lastAudit(h)).toMatchObject({
        era,
        outcome: "refused",
        reason: "elicitation-required",
        confirmation: "none-available",
      });
    });

    it("--confirm-via code skips the form even for a client that can show one", async () => {
      const { h, id } = await start({ onElicit: human.onElicit, argv: ["--confirm", "auto", "--confirm-via", "code"] });
      const res = await h.call("reset_identity", { identityId: id });
      expect(status(res)).toBe("confirmation_required");
      expect(human.seen).toHaveLength(0);
      expect(writeRequests(h.sandbox)).toEqual([]);
    });

    it("--confirm-via form in strict mode tells a client without elicitation what would work; adding code is not offered", async () => {
      const { h, id } = await start({ argv: ["--confirm", "strict", "--confirm-via", "form"] });
      const text = textOf(await h.call("reset_identity", { identityId: id }));
      expect(text).toMatch(/does not support elicitation/);
      expect(text).not.toMatch(/add code/);
    });

    it("--confirm-via form in auto mode with a client without elicitation: refused, and adding code is named as the way", async () => {
      const { h, id } = await start({ argv: ["--confirm", "auto", "--confirm-via", "form"] });
      const res = await h.call("reset_identity", { identityId: id });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/whoever runs this server can add code to --confirm-via/);
      expect(lastAudit(h)).toMatchObject({ era, confirmation: "none-available" });
    });
  });
});

describe("confirmation channel names", () => {
  it("rejects an unknown channel name at start-up, naming the channels there are", () => {
    expect(() => resolveConfig(["--sandbox", "--confirm-via", "form,carrier-pigeon"], {})).toThrow(
      /^--confirm-via lists "carrier-pigeon", which is not one of form, url, browser, code\.$/,
    );
    expect(() => resolveConfig(["--sandbox"], { ISC_MCP_CONFIRM_VIA: "url,pigeon" })).toThrow(
      /^ISC_MCP_CONFIRM_VIA lists "pigeon", which is not one of form, url, browser, code\.$/,
    );
  });
});

// The delete preview reads ownership strictly: a garbage ownership body must never pass for "owns nothing".
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { lastAudit, scriptedHuman, writeRequests } from "../support/guard-helpers.js";

let h: Harness;
afterEach(() => h.close());

describe("delete preview with an unreadable ownership report", () => {
  it.each(["null", "[]", "42", '{"associationDetails":"none"}'])(
    "refuses for body %s without asking anyone or deleting",
    async (body) => {
      const human = scriptedHuman();
      human.answer(() => ({ action: "accept", content: { name: "anything" } }));
      h = await startHarness({ sandbox: { identities: 40 }, onElicit: human.onElicit });
      const { plain } = pickFixtures(h.sandbox.state);
      h.sandbox.inject({ method: "GET", path: /\/ownership$/, body, count: 10 });
      const res = await h.call("delete_identity", { identityId: plain });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/^delete_identity refused: nothing was changed\. The identity was not deleted\./);
      expect(textOf(res)).toMatch(/not an ownership report/);
      expect(human.seen).toHaveLength(0);
      expect(writeRequests(h.sandbox)).toHaveLength(0);
      expect(h.sandbox.state.identities.has(plain)).toBe(true);
      expect(lastAudit(h)).toMatchObject({ tool: "delete_identity", outcome: "refused", reason: "target-unreadable" });
    },
  );
});

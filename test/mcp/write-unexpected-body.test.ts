// A write ISC accepted but answered with a body of the wrong shape: reported as done with how to check, audited once as executed.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pickFixtures, type Fixtures } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { auditEntries, writeRequests } from "../support/guard-helpers.js";

let h: Harness;
let fx: Fixtures;
beforeEach(async () => {
  h = await startHarness({ sandbox: { identities: 60 } });
  fx = pickFixtures(h.sandbox.state);
});
afterEach(() => h.close());

describe("a write whose upstream answers a wrong-shaped 202", () => {
  it("invite: the emails went out, so the model hears 'done, check with …', never 'failed', and one typed audit line says executed", async () => {
    h.sandbox.inject({
      method: "POST",
      path: "/v2025/identities/invite",
      status: 202,
      body: '{"id": 42, "progress": ["Queued"]}',
      afterOperation: true,
    });
    const res = await h.call("start_identities_invite", { ids: [fx.unregistered] });
    const text = textOf(res);
    expect(res.isError, text).toBeFalsy();
    expect(h.sandbox.state.invites).toHaveLength(1);
    expect(writeRequests(h.sandbox)).toHaveLength(1);
    expect(res.structuredContent).toEqual({ status: "executed" });
    expect(text).toMatch(
      /^start_identities_invite was done: ISC accepted the request\. Email registration invitations to 1 identities/,
    );
    expect(text).toContain("Do not call start_identities_invite again for this: it would act twice.");
    expect(text).toContain(
      'Next step: check the result with list_identities with filters cloudStatus eq "UNREGISTERED"',
    );
    expect(text).toMatch(
      /not a task status from POST \/v2025\/identities\/invite \(an unexpected body, HTTP 202 at id/,
    );
    expect(text).not.toMatch(/failed|internal error/);

    const lines = auditEntries(h);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({
      time: expect.any(String),
      tool: "start_identities_invite",
      tenant: h.backend.isc.tenant,
      apiVersion: "v2025",
      era: "2025-11-25",
      targetIds: [fx.unregistered],
      confirmation: "none-needed",
      outcome: "executed",
      httpStatus: 202,
      reason: "unexpected-body",
    });
    expect(typeof lines[0]!.httpStatus).toBe("number");
    expect(lines[0]).not.toHaveProperty("taskId");
  });

  it("sync: a 202 that is not JSON at all is done too, with get_identity as the check", async () => {
    h.sandbox.inject({
      method: "POST",
      path: `/v2025/identities/${fx.plain}/synchronize-attributes`,
      status: 202,
      body: "<html>accepted</html>",
      afterOperation: true,
    });
    const res = await h.call("synchronize_attributes_for_identity", { identityId: fx.plain });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(h.sandbox.state.syncs).toHaveLength(1);
    expect(textOf(res)).toContain(
      `Next step: check the result with get_identity with identityId ${fx.plain} in a minute.`,
    );
    expect(auditEntries(h)).toEqual([
      expect.objectContaining({ outcome: "executed", httpStatus: 202, reason: "unexpected-body" }),
    ]);
  });
});

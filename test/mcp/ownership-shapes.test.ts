// Association details in both shapes ISC is known to send: the schema's (array, wrapped entities) and the examples' (object, flat).
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";

let h: Harness;
afterEach(() => h.close());

// Exactly the spec's own example bodies (getIdentityOwnershipDetails 200, deleteIdentity 400).
const EXAMPLE_OWNERSHIP = {
  associationDetails: {
    associationType: "ROLE_OWNER",
    entities: [{ id: "b660a232f05b4e04812ca974b3011e0f", name: "Gaston.800ddf9640a", type: "ROLE" }],
  },
};
const EXAMPLE_DELETE_400 = {
  message: "Identity is the owner of following resources",
  associationDetails: {
    associationType: "CAMPAIGN_OWNER",
    entities: [{ id: "b660a232f05b4e04812ca974b3011e0f", name: "Gaston.800ddf9640a", type: "CAMPAIGN_CAMPAIGNER" }],
  },
};

describe("association details shapes", () => {
  it("get_identity_ownership_details reads the example shape (object, flat entities) as well as the schema's", async () => {
    h = await startHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ method: "GET", path: /\/ownership$/, body: JSON.stringify(EXAMPLE_OWNERSHIP) });
    const res = await h.call("get_identity_ownership_details", { identityId: plain });
    expect(res.isError).toBeFalsy();
    expect((res.structuredContent as { owned: unknown[] }).owned).toEqual([
      {
        associationType: "ROLE_OWNER",
        type: "ROLE",
        id: "b660a232f05b4e04812ca974b3011e0f",
        name: "Gaston.800ddf9640a",
      },
    ]);
    expect(textOf(res)).toContain('"Gaston.800ddf9640a"');
  });

  it("delete_identity relays ISC's own refusal in the example shape with its blockers", async () => {
    h = await startHarness({
      sandbox: { identities: 40 },
      onElicit: () => ({
        action: "accept",
        content: { name: h.sandbox.state.identities.get(pickFixtures(h.sandbox.state).plain)!.name },
      }),
    });
    const { plain } = pickFixtures(h.sandbox.state);
    // Ownership appeared after the preview: ISC refuses the DELETE itself.
    h.sandbox.inject({ method: "DELETE", status: 400, body: JSON.stringify(EXAMPLE_DELETE_400) });
    const res = await h.call("delete_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    const text = textOf(res);
    expect(text).toMatch(/ISC refused the delete, so nothing was changed\. The identity was not deleted\./);
    expect(text).toContain("CAMPAIGN_OWNER");
    expect(text).toContain('"Gaston.800ddf9640a"');
    expect(h.sandbox.state.identities.has(plain)).toBe(true);
  });
});

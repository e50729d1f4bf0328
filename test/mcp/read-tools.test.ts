// The read tools on every API version, through a real MCP client and the real server, against the sandbox over loopback HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pickFixtures, type Fixtures } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";

type Row = { id: string; name: string; email?: string; status?: string; alias?: string; manager?: string };

for (const apiVersion of ["v1", "v2026", "v2025", "v2024"] as const) {
  describe(`read tools (${apiVersion})`, () => {
    let h: Harness;
    let fx: Fixtures;
    beforeAll(async () => {
      h = await startHarness({ argv: ["--api-version", apiVersion] });
      fx = pickFixtures(h.sandbox.state);
    });
    afterAll(() => h.close());

    it("list_identities returns summary rows of the identities ISC has, in pages", async () => {
      const res = await h.call("list_identities", { limit: 3, offset: 0, sorters: "name", count: true });
      expect(res.isError).toBeFalsy();
      const page = res.structuredContent as { items: Row[]; total: number; nextOffset: number; limit: number };
      expect(page.items).toHaveLength(3);
      expect(page.limit).toBe(3);
      expect(page.nextOffset).toBe(3);
      const correlated = [...h.sandbox.state.identities.keys()].filter(
        (id) => h.sandbox.state.flags.get(id)?.correlated,
      );
      expect(page.total).toBe(correlated.length);
      const names = page.items.map((r) => r.name);
      expect([...names].sort()).toEqual(names);
      const first = page.items[0]!;
      const raw = h.sandbox.state.identities.get(first.id)!;
      expect(first.name).toBe(raw.name);
      expect(first.email).toBe(raw.emailAddress ?? undefined);
      expect(first.status).toBe(raw.identityStatus);
      expect(Object.keys(first)).not.toContain("attributes");
      // The next page continues where this one stopped, with no overlap.
      const next = (await h.call("list_identities", { limit: 3, offset: 3, sorters: "name" })).structuredContent as {
        items: Row[];
      };
      expect(next.items.map((r) => r.id)).not.toContain(first.id);
      expect(next.items[0]!.name >= page.items[2]!.name).toBe(true);
      // The request ISC saw carried the API's own parameter names.
      const seen = h.sandbox.requests
        .filter((r) => r.path === (apiVersion === "v1" ? "/identities/v1" : `/${apiVersion}/identities`))
        .at(-1)!;
      expect(new URLSearchParams(seen.query).get("limit")).toBe("3");
      expect(new URLSearchParams(seen.query).get("offset")).toBe("3");
    });

    it("list_identities passes filters through and finds the right people", async () => {
      const plain = h.sandbox.state.identities.get(fx.plain)!;
      const res = await h.call("list_identities", { filters: `name eq "${plain.name}"` });
      const items = (res.structuredContent as { items: Row[] }).items;
      expect(items.map((r) => r.id)).toEqual([fx.plain]);
      expect(textOf(res)).toContain(plain.name);
      const prefix = plain.name.slice(0, 2);
      const sw = (await h.call("list_identities", { filters: `name sw "${prefix}"`, limit: 250 }))
        .structuredContent as { items: Row[] };
      expect(sw.items.length).toBeGreaterThan(0);
      for (const r of sw.items) expect(r.name.startsWith(prefix)).toBe(true);
    });

    it("list_identities turns an unsupported filter into an isError the model can act on", async () => {
      const res = await h.call("list_identities", { filters: 'department eq "Sales"' });
      expect(res.isError).toBe(true);
      const text = textOf(res);
      expect(text).toMatch(/HTTP 400/);
      expect(text).toMatch(/department/);
      expect(text).toMatch(/Next step: Fix the arguments: filters support id \(eq, in\)/);
    });

    it("list_identities defaultFilter NONE includes uncorrelated identities", async () => {
      const filters = `id eq "${fx.uncorrelated}"`;
      const hidden = (await h.call("list_identities", { filters })).structuredContent as { items: Row[] };
      expect(hidden.items).toHaveLength(0);
      const shown = (await h.call("list_identities", { filters, defaultFilter: "NONE" })).structuredContent as {
        items: Row[];
      };
      expect(shown.items.map((r) => r.id)).toEqual([fx.uncorrelated]);
    });

    it("get_identity returns the summary, a projection, or everything", async () => {
      const raw = h.sandbox.state.identities.get(fx.plain)!;
      const summary = (await h.call("get_identity", { identityId: fx.plain })).structuredContent as { identity: Row };
      expect(summary.identity).toMatchObject({
        id: fx.plain,
        name: raw.name,
        alias: raw.alias,
        status: raw.identityStatus,
        manager: raw.managerRef!.name,
      });
      const projected = (await h.call("get_identity", { identityId: fx.plain, fields: ["emailAddress"] }))
        .structuredContent as { identity: Record<string, unknown> };
      expect(projected.identity).toEqual({ id: fx.plain, emailAddress: raw.emailAddress });
      const full = (await h.call("get_identity", { identityId: fx.plain, view: "full" })).structuredContent as {
        identity: Record<string, unknown>;
      };
      expect(full.identity).toEqual(JSON.parse(JSON.stringify(raw)));
    });

    it("get_identity on an unknown id says so and points to list_identities", async () => {
      const res = await h.call("get_identity", { identityId: "0123456789abcdef0123456789abcdef" });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/HTTP 404/);
      expect(textOf(res)).toMatch(/list_identities/);
      expect(textOf(res)).toMatch(/trackingId: [0-9a-f]{32}/);
    });

    it("get_identity_ownership_details lists what an owner owns, and nothing for others", async () => {
      const owner = await h.call("get_identity_ownership_details", { identityId: fx.owner });
      const owned = (
        owner.structuredContent as { owned: Array<{ associationType: string; name?: string; id?: string }> }
      ).owned;
      const expected = h.sandbox.state.ownership.get(fx.owner)!;
      expect(owned.length).toBe(expected.reduce((n, g) => n + g.entities.length, 0));
      expect(owned[0]!.associationType).toBe(expected[0]!.associationType);
      expect(owned[0]!.id).toBe(expected[0]!.entities[0]!.identityEntity!.id);
      expect(textOf(owner)).toMatch(/reassign them before deleting/);
      const none = await h.call("get_identity_ownership_details", { identityId: fx.plain });
      expect((none.structuredContent as { owned: unknown[] }).owned).toEqual([]);
      expect(textOf(none)).toMatch(/Owns nothing/);
    });

    it("get_role_assignments and get_role_assignment read the identity's roles", async () => {
      const expected = h.sandbox.state.roleAssignments.get(fx.withRoles)!;
      const res = await h.call("get_role_assignments", { identityId: fx.withRoles });
      const list = (res.structuredContent as { assignments: Array<{ id: string; roleName?: string; roleId?: string }> })
        .assignments;
      expect(list.map((a) => a.id).sort()).toEqual(expected.map((a) => a.id).sort());
      const one = expected[0]!;
      expect(list.find((a) => a.id === one.id)!.roleName).toBe(one.role!.name);
      const byRole = (await h.call("get_role_assignments", { identityId: fx.withRoles, roleId: one.role!.id }))
        .structuredContent as { assignments: Array<{ roleId: string }> };
      expect(byRole.assignments.length).toBeGreaterThan(0);
      for (const a of byRole.assignments) expect(a.roleId).toBe(one.role!.id);
      const detail = await h.call("get_role_assignment", {
        identityId: fx.withRoles,
        assignmentId: one.id,
        view: "full",
      });
      expect(
        (detail.structuredContent as { assignment: { id: string; role: { name: string } } }).assignment,
      ).toMatchObject({ id: one.id, role: { name: one.role!.name } });
      const missing = await h.call("get_role_assignment", { identityId: fx.withRoles, assignmentId: "nope" });
      expect(missing.isError).toBe(true);
      expect(textOf(missing)).toMatch(/get_role_assignments/);
    });

    it("rejects bad arguments before any request, naming the field", async () => {
      h.sandbox.clearRequests();
      const res = await h.call("get_identity", { identityId: "a/b" });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/^Invalid arguments for tool "get_identity":/);
      expect(textOf(res)).toMatch(/identityId/);
      const bad = await h.call("list_identities", { limit: 251 });
      expect(textOf(bad)).toMatch(/limit/);
      const sorter = await h.call("list_identities", { sorters: "email" });
      expect(textOf(sorter)).toMatch(/sorters/);
      expect(h.sandbox.requests.filter((r) => r.path.includes("/identities"))).toHaveLength(0);
    });
  });
}

describe("argument errors", () => {
  it("name the bad fields and the next step", async () => {
    const h = await startHarness();
    try {
      const res = await h.call("list_identities", { limit: 999, sorters: "email" });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(
        /Next step: fix (limit, sorters|sorters, limit) and call again; nothing was sent to ISC\.$/,
      );
      expect(h.sandbox.requests).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});

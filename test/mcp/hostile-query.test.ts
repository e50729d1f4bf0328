// Filter and role query strings with quotes, backslashes, URL syntax and injection attempts reach ISC encoded exactly once.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { hostileFilter } from "../support/hostile.js";
import { apiRequests } from "../support/tool-calls.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ sandbox: { identities: 60 }, argv: ["--rate-limit", "0"] });
});
afterAll(() => h.close());

/** The one request the call made, its raw query decoded exactly once. */
function onlyQuery(): URLSearchParams {
  const sent = apiRequests(h.sandbox);
  expect(sent).toHaveLength(1);
  return new URLSearchParams(sent[0]!.query);
}

/**
 * A property's runs are bounded work (2.4 s for 200 calls when idle) that took over 20 s at load 20; past the test's
 * timeout the runs go on in the background and the next test would count their requests as its own.
 */
const PROPERTY_RUNS = 120_000;

describe("query strings reach ISC encoded exactly once", () => {
  it(
    "list_identities filters: decoded once, the server sees exactly what the model wrote, and nothing else moves",
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileFilter, async (filters) => {
          h.sandbox.clearRequests();
          const res = await h.call("list_identities", { filters, limit: 7, offset: 3, sorters: "-name" });
          expect(Array.isArray(res.content)).toBe(true);
          const query = onlyQuery();
          expect(query.getAll("filters")).toEqual([filters]);
          // An "&limit=250" inside the filter stays inside it.
          expect(query.getAll("limit")).toEqual(["7"]);
          expect(query.getAll("offset")).toEqual(["3"]);
          expect(query.getAll("sorters")).toEqual(["-name"]);
          expect([...query.keys()].sort()).toEqual(["filters", "limit", "offset", "sorters"]);
        }),
        { numRuns: 200 },
      );
    },
    PROPERTY_RUNS,
  );

  it("a filter that tries to escape its quotes is one string to ISC, which rejects it; the server does not reinterpret it", async () => {
    const { plain } = pickFixtures(h.sandbox.state);
    const name = h.sandbox.state.identities.get(plain)!.name;
    // Escaped properly, the quote is part of the value: no identity has that name.
    h.sandbox.clearRequests();
    const escaped = await h.call("list_identities", { filters: `name eq "${name}\\" or name sw \\"A"` });
    expect(onlyQuery().get("filters")).toBe(`name eq "${name}\\" or name sw \\"A"`);
    expect((escaped.structuredContent as { items: unknown[] }).items).toEqual([]);
    // Unbalanced quotes are a syntax error ISC reports; the model reads ISC's words and how to fix the filter.
    const broken = await h.call("list_identities", { filters: `name eq "${name}" or "` });
    expect(broken.isError).toBe(true);
    expect(textOf(broken)).toMatch(/HTTP 400/);
    expect(textOf(broken)).toMatch(/Next step: Fix the arguments: filters support/);
  });

  it(
    "get_role_assignments roleId and roleName: decoded once, equal to the input",
    async () => {
      const { withRoles } = pickFixtures(h.sandbox.state);
      await fc.assert(
        fc.asyncProperty(hostileFilter, fc.constantFrom("roleId", "roleName"), async (value, key) => {
          const max = key === "roleId" ? 128 : 256;
          fc.pre(value.length <= max);
          h.sandbox.clearRequests();
          const res = await h.call("get_role_assignments", { identityId: withRoles, [key]: value });
          expect(Array.isArray(res.content)).toBe(true);
          expect(onlyQuery().getAll(key)).toEqual([value]);
          expect(apiRequests(h.sandbox)[0]!.path).toBe(`/v2025/identities/${withRoles}/role-assignments`);
        }),
        { numRuns: 100 },
      );
    },
    PROPERTY_RUNS,
  );
});

// Malformed, non-JSON and wrong-shape bodies from ISC, for every read tool: always a clear tool error, never a crash or a wrong answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { apiRequests, READ_TOOLS, validCalls } from "../support/tool-calls.js";

let h: Harness;
let calls: Map<string, Record<string, unknown>>;
beforeAll(async () => {
  h = await startHarness({ sandbox: { identities: 60 } });
  calls = validCalls(h.sandbox);
});
afterAll(() => h.close());

/** Garbage no tool can read. */
const GARBAGE = [
  "",
  "not json at all",
  "<html><body>502 Bad Gateway</body></html>",
  '{"id": "abc", "name":',
  "null",
  "42",
  '"a string"',
  "true",
];

/** Well-formed JSON of the wrong shape, per tool. */
const WRONG_SHAPE: Record<string, string[]> = {
  list_identities: ["{}", '{"items": []}', '[{"id": 1, "name": "x"}]', "[null]", '[{"name": "no id"}]'],
  get_identity: ["[]", "{}", '{"id": "abc"}', '{"id": 7, "name": "x"}', '[{"id": "abc", "name": "x"}]'],
  get_identity_ownership_details: ["[]", '{"associationDetails": "owns everything"}', '{"associationDetails": 7}'],
  get_role_assignments: ["{}", '[{"role": {"name": "Admin"}}]', "[null]", '[{"id": 5}]'],
  get_role_assignment: ["[]", "{}", '{"role": {"name": "Admin"}}', '{"id": ["x"]}'],
  get_task_status: ["[]", "{}", '{"id": 7}', '[{"id": "abc"}]'],
};

describe("bodies ISC should never send", () => {
  it("the table covers every read tool", () => {
    expect(Object.keys(WRONG_SHAPE).sort()).toEqual([...READ_TOOLS].sort());
  });

  for (const tool of READ_TOOLS) {
    it(`${tool}: every malformed or wrong-shape 200 body is a clear, retryable tool error`, async () => {
      for (const body of [...GARBAGE, ...WRONG_SHAPE[tool]!]) {
        h.sandbox.clearRequests();
        h.sandbox.inject({ method: "GET", path: /^\/v2025\//, body });
        const res = await h.call(tool, calls.get(tool)!);
        const text = textOf(res);
        expect(res.isError, `${tool} with ${JSON.stringify(body)}: ${text}`).toBe(true);
        expect(text, body).toMatch(
          new RegExp(
            `^${tool} failed\\. (ISC answered GET /\\S+ with HTTP 200 and a body that is not JSON\\.|ISC returned something that is not an? [a-z ]+ from GET .+\\.)`,
          ),
        );
        expect(text, body).toMatch(
          /Next step: Retry once; if it repeats, report the trackingId to the tenant's administrators\./,
        );
        expect(text, body).not.toMatch(/internal error|bug in isc-identities-mcp/);
        // A bad body is not retried: ISC answered, and asking again would just repeat the same answer.
        expect(apiRequests(h.sandbox), body).toHaveLength(1);
      }
    });
  }

  it("error statuses with non-JSON or odd bodies still give the status and the next step", async () => {
    const cases: Array<[number, string, RegExp]> = [
      [404, "<html>Not Found</html>", /HTTP 404\n.*Next step: No such identity/s],
      [400, '{"messages": "not a list", "trackingId": 12}', /HTTP 400\nNext step: Fix the arguments/],
      [
        403,
        '{"messages": [null, 5, {"text": 7}, {"text": "Forbidden by policy"}]}',
        /HTTP 403: "Forbidden by policy"\nNext step: The personal access token lacks the rights for get_identity/,
      ],
      [400, "", /HTTP 400\nNext step: Fix the arguments/],
    ];
    for (const [status, body, expected] of cases) {
      h.sandbox.inject({ method: "GET", path: /^\/v2025\//, status, body });
      const res = await h.call("get_identity", calls.get("get_identity")!);
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(expected);
    }
  });

  it("after all that the server still answers normally", async () => {
    for (const tool of READ_TOOLS) expect((await h.call(tool, calls.get(tool)!)).isError, tool).toBeFalsy();
  });
});

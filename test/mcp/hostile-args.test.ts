// Property tests over every tool's arguments: always a tool result, bad fields named, and no request to any other path.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { TOOLS } from "../../tools/index.js";
import { MAX_ARGUMENT_DEPTH } from "../../src/mcp/parse-arguments.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { allowedRequests, anyArg, badId } from "../support/hostile.js";
import { apiRequests, validCalls, type Args } from "../support/tool-calls.js";
import { initialize, serveTenant, spawnCli } from "../support/cli-process.js";

let h: Harness;
let valid: Map<string, Args>;
beforeAll(async () => {
  // The client-side limiter would only slow these runs down; it has its own tests.
  // Tasks finish at once, so a run with waitSeconds reads one status instead of waiting seconds.
  h = await startHarness({
    sandbox: { identities: 60, taskTimings: { queuedMs: 0, runMs: 0 } },
    argv: ["--rate-limit", "0"],
  });
  valid = validCalls(h.sandbox);
});
afterAll(() => h.close());

const RUNS = 150;
/** A property's runs are bounded work; past a test's timeout they would go on under the next test (see hostile-query). */
const PROPERTY_RUNS = 120_000;

/** Random arguments for a tool: fully random, its valid arguments with one key made hostile or dropped, or valid as they are. */
function argsFor(tool: (typeof TOOLS)[number]): fc.Arbitrary<Args> {
  const keys = Object.keys(tool.inputSchema.shape);
  const random = fc
    .tuple(
      fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
      fc.record(Object.fromEntries(keys.map((k) => [k, anyArg])), { requiredKeys: [] }),
    )
    .map(([extra, known]) => ({ ...extra, ...known }) as Args);
  const mutated = fc.tuple(fc.constantFrom(...keys), fc.option(anyArg, { nil: undefined })).map(([key, value]) => {
    const args: Args = { ...valid.get(tool.name) };
    if (value === undefined) delete args[key];
    else args[key] = value;
    return args;
  });
  // Valid arguments as they are keep a share of the runs on the paths that reach ISC.
  return fc.oneof(
    { weight: 2, arbitrary: random },
    { weight: 3, arbitrary: mutated },
    { weight: 1, arbitrary: fc.constant({ ...valid.get(tool.name) }) },
  );
}

/** Top-level argument names the schema rejects, the way the server reports them ("→ at identityIds[0]"). */
function badFields(tool: (typeof TOOLS)[number], args: Args): string[] | undefined {
  const parsed = tool.inputSchema.safeParse(args);
  return parsed.success ? undefined : [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "")))];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("any arguments, every tool", () => {
  for (const tool of TOOLS) {
    it(
      `${tool.name}: a tool result every time, invalid fields named, requests only to its own paths`,
      async () => {
        let validRuns = 0;
        await fc.assert(
          fc.asyncProperty(argsFor(tool), async (args) => {
            h.sandbox.clearRequests();
            // A protocol error or a crash would reject here and fail the property.
            const res = (await h.client.callTool({ name: tool.name, arguments: args })) as CallToolResult;
            expect(Array.isArray(res.content)).toBe(true);
            const text = textOf(res);
            const bad = badFields(tool, args);
            const sent = apiRequests(h.sandbox);
            if (bad) {
              expect(res.isError).toBe(true);
              expect(text.startsWith(`Invalid arguments for tool "${tool.name}":`)).toBe(true);
              for (const field of bad.filter(Boolean))
                expect(text).toMatch(new RegExp(`→ at ${escape(field)}(\\[|\\.|\\n|$)`));
              expect(h.sandbox.requests).toHaveLength(0);
              expect(text.length).toBeLessThan(5_000);
            } else {
              const parsed = tool.inputSchema.parse(args) as Args;
              const allowed = allowedRequests(tool.name, parsed, [...h.sandbox.state.tasks.keys()]);
              for (const r of sent) expect(allowed).toContainEqual({ method: r.method, path: r.path });
              validRuns++;
            }
            // Nothing destructive or email-sending ever happens without a confirmation the property cannot forge.
            for (const r of sent) {
              expect(r.method).not.toBe("DELETE");
              expect(r.path).not.toMatch(/\/reset$|\/verification\/account\/send$/);
            }
          }),
          { numRuns: RUNS },
        );
        // The property is not vacuous: a good share of the runs were valid and took the paths that reach ISC.
        expect(validRuns).toBeGreaterThan(RUNS / 10);
      },
      PROPERTY_RUNS,
    );
  }
});

describe("hostile ids", () => {
  const idTools = TOOLS.filter((t) => "identityId" in t.inputSchema.shape);

  it("covers every tool that targets one identity", () => {
    expect(idTools.map((t) => t.name).sort()).toEqual(
      [...valid.entries()]
        .filter(([, a]) => "identityId" in a)
        .map(([n]) => n)
        .sort(),
    );
  });

  for (const tool of idTools) {
    it(
      `${tool.name}: an id with /, .., %2F, ?, #, whitespace, unicode or 10,000 characters never leaves the server`,
      async () => {
        await fc.assert(
          fc.asyncProperty(badId, fc.constantFrom("identityId", "assignmentId"), async (id, field) => {
            if (!(field in tool.inputSchema.shape)) return;
            h.sandbox.clearRequests();
            const res = await h.call(tool.name, { ...valid.get(tool.name), [field]: id });
            expect(res.isError).toBe(true);
            expect(textOf(res)).toMatch(
              new RegExp(`^Invalid arguments for tool "${tool.name}":[\\s\\S]*→ at ${field}`),
            );
            // The id itself is not echoed back in full (a 10,000-character id must not flood the context).
            expect(textOf(res).length).toBeLessThan(1_000);
            expect(h.sandbox.requests).toHaveLength(0);
          }),
          { numRuns: 60 },
        );
      },
      PROPERTY_RUNS,
    );
  }

  it(
    "ids inside lists (process, invite) are checked one by one, and the bad one is named",
    async () => {
      const { identityIds } = valid.get("start_identity_processing") as { identityIds: string[] };
      await fc.assert(
        fc.asyncProperty(badId, fc.nat({ max: 3 }), async (id, at) => {
          h.sandbox.clearRequests();
          const list = [...identityIds, ...identityIds, ...identityIds];
          list.splice(at, 0, id);
          const processing = await h.call("start_identity_processing", { identityIds: list });
          expect(textOf(processing)).toMatch(new RegExp(`→ at identityIds\\[${at}\\]`));
          const invite = await h.call("start_identities_invite", { ids: list });
          expect(textOf(invite)).toMatch(new RegExp(`→ at ids\\[${at}\\]`));
          expect(h.sandbox.requests).toHaveLength(0);
        }),
        { numRuns: 40 },
      );
    },
    PROPERTY_RUNS,
  );
});

/** `levels` arrays each inside the next, built without recursion (so is every check of it in the server). */
function nestedArrays(levels: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
}

function nestedObjects(levels: number): unknown {
  let value: unknown = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

const tooDeep = (tool: string, at: string, field: string) =>
  `Invalid arguments for tool "${tool}":\n✖ arrays or objects nested more than ${MAX_ARGUMENT_DEPTH} levels deep (no argument of any tool nests that far)\n  → at ${at}\nNext step: fix ${field} and call again; nothing was sent to ISC.`;

describe("arguments nested past any tool's shape", () => {
  it("every tool refuses 5,000 nested arrays or objects before validation, naming the limit and the field, and sends nothing", async () => {
    for (const tool of TOOLS) {
      const field = Object.keys(tool.inputSchema.shape)[0]!;
      h.sandbox.clearRequests();
      const arrays = await h.call(tool.name, { ...valid.get(tool.name), [field]: nestedArrays(5_000) });
      expect(arrays.isError, tool.name).toBe(true);
      expect(textOf(arrays)).toBe(tooDeep(tool.name, `${field}[0][0][0][0]…`, field));
      // Unknown arguments too: the depth is checked before anything looks at the names.
      const objects = await h.call(tool.name, { ...valid.get(tool.name), extra: nestedObjects(5_000) });
      expect(textOf(objects)).toBe(tooDeep(tool.name, "extra.a.a.a.a…", "extra"));
      expect(h.sandbox.requests).toHaveLength(0);
    }
  });

  it(`the limit is ${MAX_ARGUMENT_DEPTH} levels, the arguments object being the first: one more is refused, up to it zod speaks`, async () => {
    const at = await h.call("list_identities", { filters: nestedArrays(MAX_ARGUMENT_DEPTH - 1) });
    expect(textOf(at)).toBe(
      'Invalid arguments for tool "list_identities":\n✖ Invalid input: expected string, received array\n  → at filters\nNext step: fix filters and call again; nothing was sent to ISC.',
    );
    const past = await h.call("list_identities", { filters: nestedArrays(MAX_ARGUMENT_DEPTH) });
    expect(textOf(past)).toBe(tooDeep("list_identities", "filters[0][0][0][0]…", "filters"));
  });

  it("over stdio, a line of 5,000 nested arrays gets the same refusal; prompts and completions take only strings; the server reads on", async () => {
    const tenant = await serveTenant();
    const cli = spawnCli(["--log-level", "warn", "--confirm", "strict"], tenant.env);
    try {
      initialize(cli);
      await cli.response(0);
      // Written by hand: JSON.stringify itself runs out of stack on values this deep.
      const deep = "[".repeat(5_000) + "]".repeat(5_000);
      const write = (line: string) => cli.child.stdin!.write(`${line}\n`);
      write(
        `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_identities","arguments":{"filters":${deep}}}}`,
      );
      const refused = (await cli.response(1)).result as CallToolResult;
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toBe(tooDeep("list_identities", "filters[0][0][0][0]…", "filters"));
      // prompts/get and completion/complete arguments are strings by the protocol's schema: refused before they reach us.
      write(
        `{"jsonrpc":"2.0","id":2,"method":"prompts/get","params":{"name":"locked_out_user","arguments":{"who":${deep}}}}`,
      );
      expect((await cli.response(2)).error).toMatchObject({ message: expect.stringMatching(/expected string/) });
      write(
        `{"jsonrpc":"2.0","id":3,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"locked_out_user"},"argument":{"name":"who","value":${deep}}}}`,
      );
      expect((await cli.response(3)).error).toMatchObject({ message: expect.stringMatching(/expected string/) });
      cli.send({
        jsonrpc: "2.0",
        id: 4,
        method: "tools/call",
        params: { name: "list_identities", arguments: { limit: 1 } },
      });
      expect(((await cli.response(4)).result as CallToolResult).isError).toBeFalsy();
      expect(apiRequests(tenant.sandbox)).toHaveLength(1);
    } finally {
      cli.child.stdin!.end();
      await cli.exited;
      await tenant.served.close();
    }
  });
});

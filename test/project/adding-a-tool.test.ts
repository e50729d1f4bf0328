// CONTRIBUTING.md's "Adding a tool" checklist, checked: a tool missing from any place it must be fails here, by name.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TOOLS } from "../../tools/index.js";
import { createSandbox } from "../../src/sandbox/index.js";
import { validCalls } from "../support/tool-calls.js";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const kebab = (name: string) => name.replaceAll("_", "-");

describe("every place a tool touches", () => {
  it("has one file per tool in tools/, and every file there is in tools/index.ts", () => {
    const files = readdirSync(new URL("tools/", root))
      .filter((f) => f.endsWith(".ts") && f !== "index.ts")
      .sort();
    expect(files).toEqual(TOOLS.map((t) => `${kebab(t.name)}.ts`).sort());
  });

  it("names every tool in the inventory test's expected list, a committed snapshot, and the README's tool table", () => {
    const inventory = read("test/mcp/inventory.test.ts");
    const readme = read("README.md");
    for (const tool of TOOLS) {
      expect(inventory, `${tool.name}: add it to test/mcp/inventory.test.ts`).toContain(`"${tool.name}",`);
      expect(
        existsSync(new URL(`test/__toolsnaps__/${tool.name}.snap.json`, root)),
        `${tool.name}: UPDATE_TOOLSNAPS=1 npx vitest run test/mcp/inventory.test.ts`,
      ).toBe(true);
      expect(readme, `${tool.name}: npm run docs`).toContain(`| \`${tool.name}\` | ${tool.kind} |`);
    }
  });

  it("gives every tool rights and a valid call for the reliability tests", () => {
    const calls = validCalls(createSandbox({ identities: 30 }));
    for (const tool of TOOLS) {
      expect(tool.rights.length, `${tool.name}: rights`).toBeGreaterThan(3);
      expect(calls.has(tool.name), `${tool.name}: test/support/tool-calls.ts`).toBe(true);
      expect(
        tool.inputSchema.safeParse(calls.get(tool.name)).success,
        `${tool.name}: its valid call must pass its own schema`,
      ).toBe(true);
    }
  });

  it("gives every write a guard plan that names the call's targets, says what is not done, and shows a preview before asking", () => {
    const calls = validCalls(createSandbox({ identities: 30 }));
    for (const tool of TOOLS.filter((t) => t.kind !== "read")) {
      const call = calls.get(tool.name)! as { identityId?: string; identityIds?: string[]; ids?: string[] };
      const plan = tool.guard!.plan(tool.inputSchema.parse(call) as never);
      expect(plan.targetIds, `${tool.name}: the audit names the identities the call targets`).toEqual(
        call.identityIds ?? call.ids ?? [call.identityId],
      );
      expect(plan.notDone, `${tool.name}: refusals say what was not done`).toMatch(
        /^(No .*|The .* (was|were) not .*)\.$/,
      );
      // A human asked to confirm sees what they confirm; a destructive tool asks for the identity's name (docs/confirmation.md).
      if (plan.confirm !== "none") expect(plan.preview, `${tool.name}: confirms, so it must preview`).toBeDefined();
      // The guard names no tool: a tool a person may confirm gives the page its own heading and button.
      if (plan.confirm !== "none" || plan.mass)
        expect(plan.page, `${tool.name}: may ask on the page, so it gives the page's words`).toMatchObject({
          title: expect.any(String),
          button: expect.any(String),
          next: expect.any(String),
        });
      if (tool.kind === "destructive")
        expect([plan.confirm, plan.preview], tool.name).toEqual([
          "name",
          expect.objectContaining({ kind: "identity", id: call.identityId }),
        ]);
    }
  });

  it("covers every read tool in the wrong-shape body table", () => {
    const faults = read("test/isc/faults-bodies.test.ts");
    for (const tool of TOOLS.filter((t) => t.kind === "read")) expect(faults, tool.name).toContain(`  ${tool.name}: [`);
  });
});

// The guard names no tool and reads no tool's arguments: the tools' names and their write arguments (from TOOLS' schemas) appear nowhere in src/guard's code.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { TOOLS } from "../../tools/index.js";

const GUARD = fileURLToPath(new URL("../../src/guard", import.meta.url));

/** Every tool's name, and the argument names of the tools the guard runs (reads never reach it). */
function toolWords(): { names: string[]; args: Set<string> } {
  const args = new Set<string>();
  for (const tool of TOOLS.filter((t) => t.kind !== "read"))
    for (const arg of Object.keys((tool.inputSchema as unknown as { shape: object }).shape)) args.add(arg);
  return { names: TOOLS.map((t) => t.name), args };
}

/**
 * Where this TypeScript source names a tool (in any identifier or string, comments aside) or a tool argument as a
 * property: read (`a.x`, `a["x"]`, `"x" in a`, `{ x } = a`), written (`{ x: … }`) or declared (`x?: …`). A local
 * variable may share an argument's name (`ids`): it reads nothing of the tool's.
 */
export function toolMentions(source: string, words: { names: string[]; args: Set<string> }): string[] {
  const file = ts.createSourceFile("f.ts", source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) =>
    found.push(`line ${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}: ${what}`);
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) {
      const text = node.text;
      for (const name of words.names) if (text.includes(name)) at(node, `names the tool ${name}`);
      const isProperty =
        ts.isStringLiteralLike(node) ||
        (ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) ||
        ((ts.isPropertyAssignment(node.parent) ||
          ts.isPropertySignature(node.parent) ||
          ts.isPropertyDeclaration(node.parent) ||
          ts.isMethodSignature(node.parent) ||
          ts.isMethodDeclaration(node.parent)) &&
          node.parent.name === node) ||
        ts.isShorthandPropertyAssignment(node.parent) ||
        (ts.isBindingElement(node.parent) && ts.isObjectBindingPattern(node.parent.parent));
      if (isProperty && words.args.has(text)) at(node, `reads or names the tool argument ${text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function guardFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? guardFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("the guard knows no tool", () => {
  const words = toolWords();

  it("takes the words it checks for from TOOLS", () => {
    // The arguments the old page sample read, and a tool name the page's words once keyed on.
    expect([...words.args]).toEqual(expect.arrayContaining(["identityIds", "ids", "uninvited"]));
    expect(words.names).toContain("delete_identity");
  });

  it("finds a tool's argument read or declared as a property, and a tool's name, but not a local variable", () => {
    const bad = [
      "const a = args.uninvited;",
      'const b = args["identityIds"];',
      "const { ids } = args;",
      "const c = { ids: [] };",
      "interface P { identityId: string }",
      'const t = "start_identities_invite";',
      "const u = `see ${x} with get_identity`;",
    ];
    for (const line of bad) expect(toolMentions(line, words), line).not.toEqual([]);
    const fine = [
      "const ids = [1];",
      "function f(ids: string[]) { return ids.length; }",
      "// comments may say args.uninvited or delete_identity",
      'const s = "Call again without the code";',
    ];
    for (const line of fine) expect(toolMentions(line, words), line).toEqual([]);
  });

  it("has no such mention anywhere in src/guard", () => {
    const files = guardFiles(GUARD);
    expect(files.length).toBeGreaterThan(20);
    const mentions = files.flatMap((f) =>
      toolMentions(readFileSync(f, "utf8"), words).map((m) => `${f.slice(GUARD.length + 1)} ${m}`),
    );
    expect(mentions).toEqual([]);
  });
});

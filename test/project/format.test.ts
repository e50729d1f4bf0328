// `npm run lint` checks formatting: its own Prettier step, run as package.json writes it, fails an unformatted file and passes it once formatted.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PRETTIER = join(ROOT, "node_modules/prettier/bin/prettier.cjs");
const dir = mkdtempSync(join(tmpdir(), "format-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The Prettier arguments of `npm run lint`: it runs every `lint:*` script (run-p), and one of them is Prettier. */
function lintPrettierArgs(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  if (!/(^|\s)lint:\*(\s|$)/.test(scripts.lint ?? ""))
    throw new Error(`npm run lint does not run lint:*: ${scripts.lint}`);
  const step = Object.entries(scripts).find(
    ([name, command]) => name.startsWith("lint:") && /^prettier\s/.test(command),
  );
  if (!step) throw new Error("npm run lint has no prettier step");
  return [...step[1].matchAll(/"([^"]*)"|(\S+)/g)].slice(1).map((m) => m[1] ?? m[2]!);
}

function check(): number | null {
  return spawnSync(process.execPath, [PRETTIER, ...lintPrettierArgs()], { cwd: dir, encoding: "utf8" }).status;
}

it("fails a file the formatter would change, and passes it once formatted", () => {
  copyFileSync(join(ROOT, ".prettierrc.json"), join(dir, ".prettierrc.json"));
  copyFileSync(join(ROOT, ".prettierignore"), join(dir, ".prettierignore"));
  writeFileSync(join(dir, "bad.ts"), "export const a = { b:1,   c: [ 1,2 ] }\n");
  expect(check()).toBe(1);
  writeFileSync(join(dir, "bad.ts"), "export const a = { b: 1, c: [1, 2] };\n");
  expect(check()).toBe(0);
});

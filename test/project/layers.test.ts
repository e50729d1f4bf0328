// The layer rule of `npm run lint` (dependency-cruiser) really fails wrong-way imports and cycles: fixture trees in a temp dir.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CRUISER = join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Lays out these files beside the project's cruiser config and runs it the way `npm run lint` does. */
async function cruise(files: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), "layers-"));
  dirs.push(dir);
  copyFileSync(join(ROOT, ".dependency-cruiser.cjs"), join(dir, ".dependency-cruiser.cjs"));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", strict: true },
      include: ["src", "tools", "prompts"],
    }),
  );
  for (const [path, body] of Object.entries({
    "src/core/log.ts": "export const log = 1;\n",
    "tools/index.ts": "export const TOOLS = [];\n",
    "prompts/index.ts": "export const PROMPTS = [];\n",
    ...files,
  })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  const child = spawn(process.execPath, [CRUISER, "--config", ".dependency-cruiser.cjs", "src", "tools", "prompts"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, out };
}

/** Each wrong-way import or cycle the rule must catch, and the line it must report (all in one tree: one cruiser run). */
const WRONG: Array<[string, Record<string, string>, string]> = [
  [
    "a lower folder importing a higher one",
    {
      "src/core/quote.ts": 'import { m } from "../cli/main.js";\nexport const q = m;\n',
      "src/cli/main.ts": "export const m = 1;\n",
    },
    "layer-core: src/core/quote.ts → src/cli/main.ts",
  ],
  [
    "a type-only import that goes up",
    {
      "src/guard/guard.ts": 'import type { Ctx } from "../mcp/tool-context.js";\nexport type G = Ctx;\n',
      "src/mcp/tool-context.ts": "export type Ctx = number;\n",
    },
    "layer-guard: src/guard/guard.ts → src/mcp/tool-context.ts",
  ],
  [
    "a cycle of type-only imports inside one layer",
    {
      "src/mcp/a.ts": 'import type { B } from "./b.js";\nexport type A = B | 1;\n',
      "src/mcp/b.ts": 'import type { A } from "./a.js";\nexport type B = A | 2;\n',
    },
    "no-circular: src/mcp/a.ts",
  ],
  [
    "the sandbox importing the project",
    { "src/sandbox/serve.ts": 'import { log } from "../core/log.js";\nexport const s = log;\n' },
    "sandbox-standalone: src/sandbox/serve.ts → src/core/log.ts",
  ],
  [
    "a tool importing a transport",
    {
      "tools/get.ts": 'import { h } from "../src/transports/http/server.js";\nexport const g = h;\n',
      "src/transports/http/server.ts": "export const h = 1;\n",
    },
    "layer-tools: tools/get.ts → src/transports/http/server.ts",
  ],
  [
    "a prompt importing the CLI",
    { "prompts/ask.ts": 'import { m } from "../src/cli/main.js";\nexport const a = m;\n' },
    "layer-tools: prompts/ask.ts → src/cli/main.ts",
  ],
  [
    "mcp/ taking tools/ (the CLI passes them in)",
    { "src/mcp/server.ts": 'import { TOOLS } from "../../tools/index.js";\nexport const l = TOOLS;\n' },
    "layer-mcp: src/mcp/server.ts → tools/index.ts",
  ],
  [
    "the guard taking prompts/",
    { "src/guard/plan.ts": 'import { PROMPTS } from "../../prompts/index.js";\nexport const p = PROMPTS;\n' },
    "layer-guard: src/guard/plan.ts → prompts/index.ts",
  ],
];

/** One dependency-cruiser run: bounded work (a second or two when idle) that took over 20 s beside a second `npm test`. */
const ONE_RUN = 60_000;

describe("layer rule (npm run lint)", () => {
  it(
    "passes imports that go down the layers: the CLI takes tools/ and prompts/, which take mcp/",
    async () => {
      const run = await cruise({
        "src/config/options.ts": 'import { log } from "../core/log.js";\nexport const o = log;\n',
        "src/cli/main.ts":
          'import { o } from "../config/options.js";\nimport { TOOLS } from "../../tools/index.js";\nimport { PROMPTS } from "../../prompts/index.js";\nexport const m = [o, TOOLS, PROMPTS];\n',
        "src/mcp/server.ts": 'import type { D } from "./define-tool.js";\nexport type S = D;\n',
        "src/mcp/define-tool.ts": "export type D = number;\n",
        "src/sandbox/serve.ts": 'import { x } from "./model.js";\nexport const s = x;\n',
        "src/sandbox/model.ts": "export const x = 1;\n",
        "src/isc/connect.ts": 'import { s } from "../sandbox/serve.js";\nexport const c = s;\n',
        "tools/get.ts":
          'import { o } from "../src/config/options.js";\nimport type { D } from "../src/mcp/define-tool.js";\nexport const g: D | number = o;\n',
      });
      expect(run.out).toMatch(/no dependency violations found/);
      expect(run.code).toBe(0);
    },
    ONE_RUN,
  );

  it(
    "fails, naming each: " + WRONG.map(([label]) => label).join("; "),
    async () => {
      const run = await cruise(Object.assign({}, ...WRONG.map(([, files]) => files)));
      for (const [label, , violation] of WRONG) expect(run.out, label).toContain(violation);
      expect(run.out).toMatch(new RegExp(`x ${WRONG.length} dependency violations`));
      expect(run.code).not.toBe(0);
    },
    ONE_RUN,
  );
});

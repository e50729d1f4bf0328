// The README's and docs/' shell blocks, run as printed against the built CLI: each says before it whether it runs offline.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOOLS } from "../../tools/index.js";
import { assertBuilt, cleanEnv } from "../support/cli-process.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(root, "dist", "bundle", "src", "cli", "main.js");
const SHELL = new Set(["sh", "bash", "shell", "console"]);

/**
 * What the comment right before a shell block says: `<!-- doc-test: run; expect "…" -->` (exits 0 and prints each
 * expected text), `<!-- doc-test: until "…" -->` (a server: passes once it prints the text, then is stopped), or
 * `<!-- doc-test: skip: why -->` (needs a tenant, the network or an install; the reason is required).
 */
type Mode = { kind: "run" } | { kind: "until"; text: string } | { kind: "skip"; why: string };
interface Block {
  where: string;
  script: string;
  mode: Mode | undefined;
  expects: string[];
}

const quoted = (s: string) => [...s.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1"));

function parseMarker(line: string): Pick<Block, "mode" | "expects"> {
  const m = /^<!--\s*doc-test:\s*(.*?)\s*-->$/.exec(line.trim());
  if (!m) return { mode: undefined, expects: [] };
  const body = m[1]!;
  const skip = /^skip:\s*(.*)$/.exec(body);
  if (skip) return { mode: skip[1] ? { kind: "skip", why: skip[1] } : undefined, expects: [] };
  const [head = "", ...rest] = body.split(/;\s*(?=expect\b)/);
  const expects = rest.flatMap((r) => quoted(r));
  if (head.trim() === "run") return { mode: { kind: "run" }, expects };
  const until = /^until\s+(".*")$/.exec(head.trim());
  if (until) return { mode: { kind: "until", text: quoted(until[1]!)[0] ?? "" }, expects };
  return { mode: undefined, expects };
}

/** Every fenced shell block of one Markdown file, with the marker on the line before it (blank lines skipped). */
function shellBlocks(file: string): Block[] {
  const lines = readFileSync(join(root, file), "utf8").split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf("```", i + 1);
    if (end < 0) throw new Error(`${file}:${i + 1}: an unclosed code block`);
    if (SHELL.has(open[1]!)) {
      let j = i - 1;
      while (j >= 0 && lines[j]!.trim() === "") j--;
      blocks.push({
        where: `${file}:${i + 1}`,
        script: lines.slice(i + 1, end).join("\n"),
        ...parseMarker(lines[j] ?? ""),
      });
    }
    i = end;
  }
  return blocks;
}

const FILES = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`),
];
const BLOCKS = FILES.flatMap(shellBlocks);

let work: string;
let env: Record<string, string>;

beforeAll(() => {
  assertBuilt();
  // As after `npm install -g`: the bin linked into a folder on PATH. A home of its own, so no config file of this
  // machine's user (and no host's settings file) is read; no BROWSER or display, so nothing opens a window.
  work = mkdtempSync(join(tmpdir(), "isc-doc-commands-"));
  mkdirSync(join(work, "bin"));
  mkdirSync(join(work, "home"));
  symlinkSync(BIN, join(work, "bin", "isc-identities-mcp"));
  const {
    BROWSER: _browser,
    DISPLAY: _display,
    WAYLAND_DISPLAY: _wayland,
    XDG_CONFIG_HOME: _config,
    ...rest
  } = cleanEnv();
  env = { ...rest, HOME: join(work, "home"), PATH: [join(work, "bin"), process.env.PATH ?? ""].join(delimiter) };
});

const started: ChildProcess[] = [];

/** Stops a block's whole process group (bash and what it started), if it is still there. */
function stopGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    // Already gone.
  }
}

afterAll(() => {
  // A server block whose test failed before it printed its line is still running: stop its whole group.
  for (const child of started) if (child.exitCode === null && child.signalCode === null) stopGroup(child);
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs a command in its own process group and collects what it prints, stdout and stderr together. */
function start(
  command: string,
  args: string[],
): { child: ChildProcess; done: Promise<{ status: number | null; output: string; stdout: string }> } {
  const child = spawn(command, args, { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  started.push(child);
  let output = "";
  let stdout = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    stdout += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<{ status: number | null; output: string; stdout: string }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, output, stdout }));
  });
  return { child, done };
}

const bash = (script: string) => ["-e", "-o", "pipefail", "-c", script];

/** A server block: passes once it prints `text`; then its whole process group is stopped. */
async function runUntil(script: string, text: string): Promise<string> {
  const { child, done } = start("bash", bash(script));
  let seen = false;
  const heard = new Promise<void>((resolve) => {
    let output = "";
    const listen = (chunk: Buffer) => {
      output += chunk.toString();
      if (!seen && output.includes(text)) {
        seen = true;
        stopGroup(child);
        resolve();
      }
    };
    child.stdout!.on("data", listen);
    child.stderr!.on("data", listen);
  });
  const ended = await Promise.race([heard.then(() => undefined), done]);
  if (ended) throw new Error(`exited (${ended.status}) before printing ${JSON.stringify(text)}:\n${ended.output}`);
  return (await done).output;
}

describe.concurrent("the docs' shell blocks", () => {
  it("are each marked run, until or skip (with why), and none uses the unpublished npx -y isc-identities-mcp", () => {
    expect(BLOCKS.length).toBeGreaterThan(5);
    const unmarked = BLOCKS.filter((b) => !b.mode).map((b) => b.where);
    expect(unmarked, 'put <!-- doc-test: run --> (or until "…", or skip: why) on the line before each').toEqual([]);
    const npx = BLOCKS.filter((b) => /npx\s+-y\s+isc-identities-mcp/.test(b.script)).map((b) => b.where);
    expect(npx, "the package is not on the npm registry: npx -y isc-identities-mcp answers 404").toEqual([]);
  });

  for (const block of BLOCKS) {
    const mode = block.mode;
    if (mode?.kind === "run") {
      it(`${block.where} runs offline, exits 0 and prints what the doc says`, async () => {
        const { status, output } = await start("bash", bash(block.script)).done;
        expect(status, output).toBe(0);
        for (const text of block.expects) expect(output).toContain(text);
      });
    } else if (mode?.kind === "until") {
      it(`${block.where} starts offline and prints ${JSON.stringify(mode.text)}`, async () => {
        const output = await runUntil(block.script, mode.text);
        for (const text of block.expects) expect(output).toContain(text);
      });
    }
  }
});

describe.concurrent("the README's Try it", () => {
  it("says as many tools as the server has: the Identities API's operations plus get_task_status", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8").replace(/\s+/g, " ");
    expect(readme).toContain(
      `It offers ${TOOLS.length} tools: the ${TOOLS.length - 1} operations of ISC's Identities API`,
    );
    expect(readme).toContain("`get_task_status` from ISC's task-status API");
    expect(TOOLS.map((t) => t.name)).toContain("get_task_status");
  });

  // `npm run demo` is the build (the suite's own first step) and then this script.
  it(
    "runs the demo it names: the tools, a search, and a delete declined, then confirmed by name",
    { timeout: 60_000 },
    async () => {
      const run = await start(process.execPath, [join(root, "dist", "scripts", "demo.js")]).done;
      expect(run.status, run.output).toBe(0);
      expect(run.stdout).toContain(`▶ tools/list: ${TOOLS.length} tools`);
      expect(run.stdout).toContain("▶ list_identities");
      expect(run.stdout).toContain('[the human answers] {"action":"decline"}');
      expect(run.stdout).toMatch(/\[the human answers\] \{"action":"accept","content":\{"name":/);
      // From a checkout the bare command is on no PATH: npx finds the package's own bin.
      expect(run.stdout.trimEnd().split("\n").at(-1)).toMatch(
        / or run: npx isc-identities-mcp init --client claude-desktop\|claude-code\|vscode\|cursor$/,
      );
    },
  );
});

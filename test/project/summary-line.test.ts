// The `N passed, N failed` line CI reads agrees with vitest's exit code: hooks, load failures and stray errors count as failures.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const REPORTER = fileURLToPath(new URL("../support/summary-reporter.ts", import.meta.url));
const VITEST = fileURLToPath(new URL("../../node_modules/vitest/vitest.mjs", import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs vitest (globals, our reporter only) over these files in a fresh temp dir; returns the summary line and the exit code. */
async function runVitest(files: Record<string, string>): Promise<{ line: string; code: number | null; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), "summary-line-"));
  dirs.push(dir);
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  // One thread, one worker, no isolation: what is under test is the reporter, and a run with these costs half the CPU of
  // one with vitest's default pool (a child process per file), which ten runs at once on a loaded machine felt.
  const child = spawn(process.execPath, [VITEST, "run", "--root", dir, "--globals", "--reporter", REPORTER, ...CHEAP], {
    cwd: dir,
    env: { ...process.env, CI: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr.on("data", (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const lines = out.split("\n").filter((l) => /^\d+ passed, \d+ failed/.test(l));
  return { line: lines.join(" | "), code, out };
}

const CHEAP = ["--pool", "threads", "--maxWorkers", "1", "--no-isolate"];
/**
 * Each case is one vitest run of a file or two, a bounded piece of work that still takes seconds at load 20; the cases run
 * one after another, so a case's time is its own run's (ten at once each took the time of five).
 */
const ONE_RUN = 60_000;
const PASS = `it("a", () => {}); it("b", () => {});`;

describe("summary line and exit code", () => {
  it.each<[string, Record<string, string>, string, number]>([
    ["a passing run", { "ok.test.js": PASS }, "2 passed, 0 failed", 0],
    [
      "a failing test",
      { "ok.test.js": PASS, "bad.test.js": `it("fails", () => { throw new Error("no"); }); it("passes", () => {});` },
      "3 passed, 1 failed",
      1,
    ],
    [
      "a failing beforeAll (its tests are skipped)",
      {
        "ok.test.js": PASS,
        "hook.test.js": `beforeAll(() => { throw new Error("setup"); }); it("x", () => {}); it("y", () => {}); it("z", () => {});`,
      },
      "2 passed, 1 failed, 3 skipped",
      1,
    ],
    [
      "a failing beforeAll inside a describe",
      {
        "hook.test.js": `describe("s", () => { beforeAll(() => { throw new Error("setup"); }); it("x", () => {}); }); it("y", () => {});`,
      },
      "1 passed, 1 failed, 1 skipped",
      1,
    ],
    [
      "a failing afterAll (its tests passed)",
      { "hook.test.js": `afterAll(() => { throw new Error("teardown"); }); it("x", () => {}); it("y", () => {});` },
      "2 passed, 1 failed",
      1,
    ],
    [
      "a file that fails to load",
      { "ok.test.js": PASS, "broken.test.js": `import "./does-not-exist.js"; it("never", () => {});` },
      "2 passed, 1 failed",
      1,
    ],
    [
      "a file with a syntax error",
      { "ok.test.js": PASS, "syntax.test.js": `it("never", () => { ;` },
      "2 passed, 1 failed",
      1,
    ],
    [
      "an unhandled error after a passing test",
      {
        "stray.test.js": `it("passes but leaves a throw behind", async () => { setTimeout(() => { throw new Error("stray"); }, 0); await new Promise((r) => setTimeout(r, 50)); });`,
      },
      "1 passed, 1 failed",
      1,
    ],
    [
      "an unhandled rejection",
      {
        "stray.test.js": `it("passes", async () => { void Promise.reject(new Error("stray")); await new Promise((r) => setTimeout(r, 50)); });`,
      },
      "1 passed, 1 failed",
      1,
    ],
    ["no test files", { "notes.txt": "nothing here" }, "0 passed, 1 failed", 1],
  ])(
    "%s",
    async (_label, files, line, code) => {
      const run = await runVitest(files);
      expect(run.line, run.out).toBe(line);
      expect(run.code, run.out).toBe(code);
      // The agreement itself: a non-zero exit never reads "0 failed", and a zero exit never reads otherwise.
      expect(/ 0 failed/.test(run.line), run.out).toBe(run.code === 0);
    },
    ONE_RUN,
  );
});

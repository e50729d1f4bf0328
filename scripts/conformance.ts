// `npm run conformance`: the official MCP conformance suite's server scenarios, for both protocol eras, against the built server over HTTP (sessions and --stateless) and the sandbox.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";
import { judge, type Checks, type ExpectedFailure, type ListedScenario } from "./conformance-judge.js";

// Pinned: a new suite version can add scenarios, and the expected failures are checked against this one. The newest
// release whose requirement sets cover 2026-07-28 (a prerelease: the `latest` tag still points at 0.1.x, 2025 only).
const SUITE = "0.2.0-alpha.12";
/** Each revision's required server scenarios run at its own wire: 2025 with initialize and a session, 2026 per request. */
const REVISIONS = ["2025-11-25", "2026-07-28"] as const;
/**
 * Each way the HTTP transport serves: 2025 clients in sessions beside 2026 per request (the default), or both eras per
 * request (--stateless, which needs a confirmation key and, alone on this machine, --single-replica instead of Redis:
 * the suite tests the protocol, not the sharing of spent codes). Each revision runs against each mode.
 */
const MODES = [
  { mode: "sessions", args: [] as string[], env: {} as Record<string, string> },
  {
    mode: "stateless",
    args: ["--stateless", "--single-replica"],
    env: { ISC_MCP_CONFIRM_KEY: randomBytes(32).toString("base64url") },
  },
] as const;
// The suite needs Node 22+; the server stays on the Node that runs this script (20). The binary comes from the npm
// registry: the `node` package's own per-platform package (what `node`'s install script would fetch).
const NODE = "22.23.3";
const NODE_PACKAGE = `node-${process.platform}-${process.arch}`;

const root = new URL("../../", import.meta.url);
const serverEntry = fileURLToPath(new URL("dist/bundle/src/cli/main.js", root));
const expectedFile = fileURLToPath(new URL("conformance/expected-failures.yml", root));
const cache =
  process.env.ISC_MCP_CONFORMANCE_CACHE ??
  join(
    process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"),
    "isc-identities-mcp-conformance",
    `${SUITE}-node-${NODE}`,
  );
const node22 = join(cache, "node_modules", NODE_PACKAGE, "bin", "node");
const suiteDir = join(cache, "node_modules", "@modelcontextprotocol", "conformance");
const suiteCli = join(suiteDir, "dist", "index.js");

/**
 * The expected failures of each revision, each with its reason; an entry without one is an error, not a silent pass.
 * An entry with `mode:` holds in that serving mode only; without it, in every mode (the suite's fixture tools are
 * absent whichever way the server serves).
 */
function readExpected(): Map<string, ExpectedFailure[]> {
  const doc = parse(readFileSync(expectedFile, "utf8")) as Record<string, unknown>;
  const out = new Map<string, ExpectedFailure[]>();
  const modes: readonly string[] = MODES.map((m) => m.mode);
  for (const revision of Object.keys(doc)) {
    if (!(REVISIONS as readonly string[]).includes(revision))
      throw new Error(`${expectedFile}: "${revision}" is not a revision this script runs (${REVISIONS.join(", ")})`);
  }
  for (const revision of REVISIONS) {
    const list = doc[revision] ?? [];
    if (!Array.isArray(list)) throw new Error(`${expectedFile}: "${revision}" must be a list`);
    out.set(
      revision,
      list.map((e: unknown, i) => {
        const entry = e as (Partial<ExpectedFailure> & { mode?: unknown }) | null;
        if (
          typeof entry?.scenario !== "string" ||
          typeof entry.reason !== "string" ||
          entry.reason.trim() === "" ||
          (entry.check !== undefined && typeof entry.check !== "string") ||
          (entry.mode !== undefined && !modes.includes(entry.mode as string))
        ) {
          throw new Error(
            `${expectedFile}: ${revision} entry ${i + 1} needs a scenario and a reason (and, if any, a check id and a mode: ${modes.join(" or ")})`,
          );
        }
        return {
          scenario: entry.scenario,
          reason: entry.reason,
          ...(entry.check ? { check: entry.check } : {}),
          ...(typeof entry.mode === "string" ? { mode: entry.mode } : {}),
        };
      }),
    );
  }
  return out;
}

/** The server scenarios the installed suite's frozen requirement set lists for a revision: required ones, and those it runs without scoring. */
function listed(revision: string): ListedScenario[] {
  const doc = parse(readFileSync(join(suiteDir, "requirements", `${revision}.yaml`), "utf8")) as {
    server?: unknown;
    not_scored?: unknown;
  };
  if (!Array.isArray(doc.server) || doc.server.length === 0)
    throw new Error(`the suite's requirement set for ${revision} lists no server scenario`);
  const scored = (doc.server as unknown[]).map((scenario) => ({ scenario: String(scenario), scored: true }));
  const others = (
    Array.isArray(doc.not_scored)
      ? (doc.not_scored as Array<{ scenario?: unknown; leg?: unknown; reason?: unknown }>)
      : []
  )
    .filter((e) => e.leg === "server" && typeof e.scenario === "string")
    .map((e) => ({ scenario: String(e.scenario), scored: false, why: String(e.reason ?? "not scored") }));
  return [...scored, ...others];
}

/** Installs the suite and Node 22 into the cache folder once; false (with why) when the registry cannot be reached. */
function install(): string | undefined {
  if (existsSync(node22) && existsSync(suiteCli)) return undefined;
  mkdirSync(cache, { recursive: true });
  writeFileSync(join(cache, "package.json"), JSON.stringify({ name: "conformance-cache", private: true }));
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const res = spawnSync(
    npm,
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--no-package-lock",
      "--loglevel=error",
      `@modelcontextprotocol/conformance@${SUITE}`,
      `${NODE_PACKAGE}@${NODE}`,
    ],
    { cwd: cache, stdio: ["ignore", "inherit", "inherit"] },
  );
  if (res.status !== 0 || !existsSync(node22) || !existsSync(suiteCli))
    return `npm could not install @modelcontextprotocol/conformance@${SUITE} and ${NODE_PACKAGE}@${NODE} into ${cache}`;
  return undefined;
}

async function startServer(mode: (typeof MODES)[number]): Promise<{ child: ChildProcess; url: string }> {
  // Only PATH (and the mode's own): the machine's variables (a tenant in SAIL_*, a log level) must not change what is tested.
  const child = spawn(process.execPath, [serverEntry, "--sandbox", "--http", "--port", "0", ...mode.args], {
    env: { PATH: process.env.PATH ?? "", ...mode.env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  for (let i = 0; i < 300; i++) {
    const url = /serving MCP on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(err)?.[1];
    if (url) return { child, url };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`the server did not start:\n${err}`);
}

/** Scenario → its checks, from the suite's result folders (`server-<scenario>-<timestamp>/checks.json`). */
function results(dir: string): Map<string, Checks> {
  const out = new Map<string, Checks>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(name)?.[1];
    if (!scenario) continue;
    const file = join(dir, name, "checks.json");
    out.set(scenario, existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Checks) : []);
  }
  return out;
}

/** The suite's own baseline, written from ours (scored entries only), so its exit status judges the same thing ours does. */
function baselineFor(expected: readonly ExpectedFailure[], dir: string): string {
  const file = join(dir, "baseline.yml");
  writeFileSync(file, stringify({ server: expected.map((e) => (e.check ? `${e.scenario}:${e.check}` : e.scenario)) }));
  return file;
}

/** Runs every revision against one serving mode's server; its lines are printed as they come. */
async function runMode(
  mode: (typeof MODES)[number],
  expected: Map<string, ExpectedFailure[]>,
  out: string,
): Promise<{ passed: number; failed: number; skipped: number }> {
  const { child, url } = await startServer(mode);
  const total = { passed: 0, failed: 0, skipped: 0 };
  try {
    for (const revision of REVISIONS) {
      const scenarios = listed(revision);
      const mine = expected.get(revision)!.filter((e) => e.mode === undefined || e.mode === mode.mode);
      // The suite's own baseline gets this mode's entries only; the judge filters the same way.
      const dir = join(out, `${mode.mode}-${revision}`);
      mkdirSync(dir);
      const baseline = baselineFor(mine, dir);
      const run = spawnSync(
        node22,
        [
          suiteCli,
          "server",
          "--url",
          url,
          "--requirements",
          revision,
          "--expected-failures",
          baseline,
          "--output-dir",
          join(dir, "results"),
        ],
        {
          encoding: "utf8",
          env: { PATH: process.env.PATH ?? "" },
          timeout: 300_000,
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      const verdict = judge({
        revision,
        mode: mode.mode,
        listed: scenarios,
        found: results(join(dir, "results")),
        expected: expected.get(revision)!,
        exit: { status: run.status, signal: run.signal, ...(run.error ? { error: run.error.message } : {}) },
      });
      console.log(
        `conformance ${SUITE} on Node ${NODE}, ${mode.mode} mode, protocol ${revision}: ${scenarios.length} scenarios listed (${scenarios.filter((s) => s.scored).length} scored)`,
      );
      for (const line of verdict.lines) console.log(line);
      // Not at the start of a line: CI adds up only the one total below.
      console.log(
        `  ${mode.mode} ${revision}: ${verdict.passed} passed, ${verdict.failed} failed, ${verdict.skipped} skipped`,
      );
      if (verdict.failed > 0) {
        writeFileSync(join(dir, "suite-output.txt"), `${run.stdout ?? ""}\n${run.stderr ?? ""}`);
        console.log(`  details: ${dir}`);
      }
      total.passed += verdict.passed;
      total.failed += verdict.failed;
      total.skipped += verdict.skipped;
    }
    return total;
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
  }
}

async function main(): Promise<number> {
  const expected = readExpected();
  const why = install();
  if (why) {
    // Like every test whose real part is missing: a skip with its reason on a developer's machine, a failure in CI.
    // Never a bare "0 passed, 0 failed": nothing was checked, and the line says so.
    console.log(`conformance: not run: ${why}`);
    console.log(process.env.CI ? "0 passed, 1 failed" : "0 passed, 0 failed, 1 skipped");
    return process.env.CI ? 1 : 0;
  }
  const out = mkdtempSync(join(tmpdir(), "isc-mcp-conformance-"));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const mode of MODES) {
    const one = await runMode(mode, expected, out);
    passed += one.passed;
    failed += one.failed;
    skipped += one.skipped;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (failed === 0) rmSync(out, { recursive: true, force: true });
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`conformance: ${err instanceof Error ? err.message : String(err)}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);

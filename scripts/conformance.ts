// `npm run conformance`: the official MCP conformance suite's server scenarios against the built server over HTTP and the sandbox.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

// Pinned: a new suite version can add scenarios, and the expected failures below are checked against this one.
const SUITE = "0.1.16";
// The suite needs Node 22+; the server stays on the Node that runs this script (20). The binary comes from the npm
// registry: the `node` package's own per-platform package (what `node`'s install script would fetch).
const NODE = "22.23.3";
const NODE_PACKAGE = `node-${process.platform}-${process.arch}`;

const root = new URL("../../", import.meta.url);
const serverEntry = fileURLToPath(new URL("dist/bundle/src/cli/main.js", root));
const expectedFile = fileURLToPath(new URL("conformance/expected-failures.yml", root));
const cache = process.env.ISC_MCP_CONFORMANCE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "isc-identities-mcp-conformance", `${SUITE}-node-${NODE}`);
const node22 = join(cache, "node_modules", NODE_PACKAGE, "bin", "node");
const suiteCli = join(cache, "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");

interface Expected {
  scenario: string;
  reason: string;
}

/** The expected failures, each with its reason; an entry without one is an error, not a silent pass. */
function readExpected(): Expected[] {
  const doc = parse(readFileSync(expectedFile, "utf8")) as { server?: unknown };
  if (!Array.isArray(doc.server)) throw new Error(`${expectedFile}: expected a "server:" list`);
  return doc.server.map((e: unknown, i) => {
    const entry = e as Partial<Expected> | null;
    if (typeof entry?.scenario !== "string" || typeof entry.reason !== "string" || entry.reason.trim() === "") {
      throw new Error(`${expectedFile}: entry ${i + 1} needs a scenario and a reason`);
    }
    return { scenario: entry.scenario, reason: entry.reason };
  });
}

/** Installs the suite and Node 22 into the cache folder once; false (with why) when the registry cannot be reached. */
function install(): string | undefined {
  if (existsSync(node22) && existsSync(suiteCli)) return undefined;
  mkdirSync(cache, { recursive: true });
  writeFileSync(join(cache, "package.json"), JSON.stringify({ name: "conformance-cache", private: true }));
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const res = spawnSync(npm, ["install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error", `@modelcontextprotocol/conformance@${SUITE}`, `${NODE_PACKAGE}@${NODE}`], { cwd: cache, stdio: ["ignore", "inherit", "inherit"] });
  if (res.status !== 0 || !existsSync(node22) || !existsSync(suiteCli)) return `npm could not install @modelcontextprotocol/conformance@${SUITE} and ${NODE_PACKAGE}@${NODE} into ${cache}`;
  return undefined;
}

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  // Only PATH: the machine's variables (a tenant in SAIL_*, a log level) must not change what is tested.
  const child = spawn(process.execPath, [serverEntry, "--sandbox", "--http", "--port", "0"], { env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "ignore", "pipe"] });
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

/** Scenario → failed?, from the suite's result folders (`server-<scenario>-<timestamp>/checks.json`); a WARNING counts as failed, as the suite's own baseline check does. */
function results(dir: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const name of readdirSync(dir)) {
    const scenario = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(name)?.[1];
    if (!scenario) continue;
    const checks = JSON.parse(readFileSync(join(dir, name, "checks.json"), "utf8")) as Array<{ status: string }>;
    out.set(scenario, checks.some((c) => c.status === "FAILURE" || c.status === "WARNING"));
  }
  return out;
}

async function main(): Promise<number> {
  const expected = readExpected();
  const why = install();
  if (why) {
    // Like every test whose real part is missing: a skip on a developer's machine, a failure in CI.
    console.log(`conformance: skipped: ${why}`);
    console.log(process.env.CI ? "0 passed, 1 failed" : "0 passed, 0 failed, 1 skipped");
    return process.env.CI ? 1 : 0;
  }
  const out = mkdtempSync(join(tmpdir(), "isc-mcp-conformance-"));
  const { child, url } = await startServer();
  try {
    const run = spawnSync(node22, [suiteCli, "server", "--url", url, "--output-dir", out], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" }, timeout: 300_000 });
    const found = results(out);
    if (found.size === 0) throw new Error(`the suite ran no scenario:\n${run.stdout}\n${run.stderr}`);
    const reasons = new Map(expected.map((e) => [e.scenario, e.reason]));
    // An expected failure is counted as skipped, never as a pass.
    let passed = 0;
    let skipped = 0;
    const bad: string[] = [];
    for (const [scenario, failed] of [...found].sort()) {
      const reason = reasons.get(scenario);
      if (failed && reason) console.log(`  ~ ${scenario}: failed as expected (${reason})`);
      else if (failed) bad.push(`${scenario}: failed and is not in conformance/expected-failures.yml (details: ${out})`);
      else if (reason) bad.push(`${scenario}: passes now; remove it from conformance/expected-failures.yml`);
      else console.log(`  ✓ ${scenario}`);
      if (failed && reason) skipped++;
      else if (!failed && !reason) passed++;
    }
    for (const e of expected) if (!found.has(e.scenario)) bad.push(`${e.scenario}: in conformance/expected-failures.yml but the suite has no such scenario`);
    for (const b of bad) console.log(`  ✗ ${b}`);
    console.log(`conformance ${SUITE} on Node ${NODE}: ${found.size} scenarios, ${found.size - expected.length} must pass, ${expected.length} expected to fail`);
    console.log(`${passed} passed, ${bad.length} failed, ${skipped} skipped`);
    if (bad.length === 0) rmSync(out, { recursive: true, force: true });
    return bad.length === 0 ? 0 : 1;
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once("exit", r)));
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`conformance: ${err instanceof Error ? err.message : String(err)}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  },
);

// The conformance step counts honestly: expected failures are skipped (never passed), a dead suite or a missing scenario fails, no registry is no green line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  judge,
  type Checks,
  type ExpectedFailure,
  type ListedScenario,
  type RunOutcome,
} from "../../scripts/conformance-judge.js";

const ok = (id: string) => ({ id, status: "SUCCESS" });
const bad = (id: string, status = "FAILURE") => ({ id, status });
const CLEAN = { status: 0, signal: null };

function run(
  found: Record<string, Checks>,
  expected: ExpectedFailure[] = [],
  listed?: ListedScenario[],
  exit: RunOutcome["exit"] = CLEAN,
) {
  return judge({
    revision: "2026-07-28",
    listed: listed ?? Object.keys(found).map((scenario) => ({ scenario, scored: true })),
    found: new Map(Object.entries(found)),
    expected,
    exit,
  });
}

describe("judging one revision's run", () => {
  it("counts a scenario whose checks all held as passed, and an expected failure as skipped with its reason, never as passed", () => {
    const v = run(
      {
        "tools-list": [ok("tools-list"), ok("wire-schema-valid")],
        "tools-call-image": [bad("tools-call-image"), ok("wire-schema-valid")],
      },
      [{ scenario: "tools-call-image", reason: "calls the fixture tool test_image_content" }],
    );
    expect(v).toMatchObject({ passed: 1, failed: 0, skipped: 1 });
    expect(v.lines).toContain("  ~ tools-call-image: failed as expected (calls the fixture tool test_image_content)");
  });

  it("fails an unlisted failure, and a WARNING (a SHOULD not met) as the suite's own baseline does", () => {
    const v = run({ a: [bad("a")], b: [ok("b"), bad("b-should", "WARNING")] }, [], undefined, {
      status: 1,
      signal: null,
    });
    expect(v).toMatchObject({ passed: 0, failed: 2, skipped: 0 });
  });

  it("fails an expected failure that passes now, and one naming a scenario the suite does not score", () => {
    const v = run(
      { a: [ok("a")] },
      [
        { scenario: "a", reason: "was broken" },
        { scenario: "gone", reason: "renamed upstream" },
      ],
      undefined,
      { status: 1, signal: null },
    );
    expect(v.failed).toBe(2);
    expect(v.passed).toBe(0);
    expect(v.lines.join("\n")).toMatch(/a: passes now; remove it/);
    expect(v.lines.join("\n")).toMatch(
      /gone: in conformance\/expected-failures\.yml \(2026-07-28\) but not a scenario the suite scores/,
    );
  });

  it("excuses only the named checks of a scenario: its other checks must still hold, and a named check that passes is stale", () => {
    const expected = [{ scenario: "server-stateless", check: "needs-fixture", reason: "needs the fixture tool" }];
    const only = run({ "server-stateless": [ok("discover"), bad("needs-fixture")] }, expected);
    expect(only).toMatchObject({ passed: 0, failed: 0, skipped: 1 });
    const more = run({ "server-stateless": [bad("discover"), bad("needs-fixture")] }, expected, undefined, {
      status: 1,
      signal: null,
    });
    expect(more).toMatchObject({ failed: 1, skipped: 0 });
    expect(more.lines.join("\n")).toMatch(/check discover failed and is not in/);
    const stale = run({ "server-stateless": [ok("discover"), ok("needs-fixture")] }, expected, undefined, {
      status: 1,
      signal: null,
    });
    expect(stale).toMatchObject({ passed: 0, failed: 1 });
    expect(stale.lines.join("\n")).toMatch(/check needs-fixture passes now/);
  });

  it("lets an expected failure of one serving mode excuse nothing in the other, and names the mode in its complaints", () => {
    const expected = [
      { scenario: "server-sse-multiple-streams", mode: "stateless", reason: "no session in --stateless" },
    ];
    const found = new Map(
      Object.entries({ "server-sse-multiple-streams": [bad("server-sse-multiple-streams-session", "WARNING")] }),
    );
    const listed = [{ scenario: "server-sse-multiple-streams", scored: true }];
    const failing = { status: 1, signal: null };
    const stateless = judge({ revision: "2025-11-25", mode: "stateless", listed, found, expected, exit: CLEAN });
    expect(stateless).toMatchObject({ passed: 0, failed: 0, skipped: 1 });
    const sessions = judge({ revision: "2025-11-25", mode: "sessions", listed, found, expected, exit: failing });
    expect(sessions).toMatchObject({ passed: 0, failed: 1, skipped: 0 });
    expect(sessions.lines.join("\n")).toMatch(
      /check server-sse-multiple-streams-session failed and is not in conformance\/expected-failures\.yml \(sessions, 2025-11-25\)/,
    );
    const healed = new Map(
      Object.entries({ "server-sse-multiple-streams": [ok("server-accepts-multiple-post-streams")] }),
    );
    const stale = judge({ revision: "2025-11-25", mode: "stateless", listed, found: healed, expected, exit: CLEAN });
    expect(stale).toMatchObject({ passed: 0, failed: 1 });
    expect(stale.lines.join("\n")).toMatch(
      /passes now; remove it from conformance\/expected-failures\.yml \(stateless, 2025-11-25\)/,
    );
  });

  it("fails every scenario the suite lists but did not run, and a suite that died, however clean the rest looks", () => {
    const listed = [
      { scenario: "a", scored: true },
      { scenario: "b", scored: true },
      { scenario: "c", scored: false, why: "pending" },
    ];
    const fewer = run({ a: [ok("a")] }, [], listed);
    expect(fewer).toMatchObject({ passed: 1, failed: 2 });
    expect(fewer.lines.join("\n")).toMatch(/b: listed by the suite for 2026-07-28 but it did not run/);
    const died = run({ a: [ok("a")], b: [ok("b")], c: [ok("c")] }, [], listed, { status: null, signal: "SIGTERM" });
    expect(died.failed).toBe(1);
    expect(died.lines.join("\n")).toMatch(/the suite died \(signal SIGTERM\)/);
    const disagrees = run({ a: [ok("a")], b: [ok("b")], c: [ok("c")] }, [], listed, { status: 1, signal: null });
    expect(disagrees.failed).toBe(1);
    expect(disagrees.lines.join("\n")).toMatch(/the suite exited with status 1 though every result matched/);
  });

  it("counts a scenario the suite does not score as skipped when it fails or checks nothing, and never counts a scenario that checked nothing as passed", () => {
    const listed = [
      { scenario: "tasks-lifecycle", scored: false, why: "extension" },
      { scenario: "tasks-status-notifications", scored: false, why: "extension" },
      { scenario: "http-header-validation", scored: false, why: "pending" },
      { scenario: "empty", scored: true },
    ];
    const v = run(
      {
        "tasks-lifecycle": [bad("t")],
        "tasks-status-notifications": [],
        "http-header-validation": [ok("h")],
        empty: [{ id: "note", status: "INFO" }],
      },
      [],
      listed,
      { status: 0, signal: null },
    );
    expect(v).toMatchObject({ passed: 1, skipped: 2, failed: 1 });
    expect(v.lines).toContain(
      "  ~ tasks-status-notifications: checked nothing; the suite does not score it for 2026-07-28 (extension)",
    );
    expect(v.lines.join("\n")).toMatch(/empty: wrote no check that held or failed/);
  });
});

// One npm install that fails at once, run to its end (spawnSync's own 120-s cap): bounded, slow on a loaded machine.
describe("npm run conformance without the registry", { timeout: 130_000 }, () => {
  const script = fileURLToPath(new URL("../../dist/scripts/conformance.js", import.meta.url));
  const offline = (ci: string) => {
    const cache = mkdtempSync(join(tmpdir(), "conformance-offline-"));
    try {
      // A registry nobody answers (connection refused at once), and an empty cache folder: nothing can be installed.
      const env = {
        ...process.env,
        CI: ci,
        ISC_MCP_CONFORMANCE_CACHE: cache,
        npm_config_registry: "http://127.0.0.1:9/",
        npm_config_fetch_retries: "0",
      };
      return spawnSync(process.execPath, [script], { env, encoding: "utf8", timeout: 120_000 });
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  };

  it("says it did not run and counts one skip on a developer's machine, never a bare '0 passed, 0 failed'", () => {
    expect(existsSync(script), "run `npm run build` first").toBe(true);
    const res = offline("");
    expect(res.stdout).toMatch(
      /^conformance: not run: npm could not install @modelcontextprotocol\/conformance@\S+ and node-\S+ into /m,
    );
    const summary = res.stdout.split("\n").filter((l) => /^\d+ passed, \d+ failed/.test(l));
    expect(summary).toEqual(["0 passed, 0 failed, 1 skipped"]);
    expect(res.status).toBe(0);
  });

  it("fails under CI=true", () => {
    const res = offline("true");
    expect(res.stdout.split("\n").filter((l) => /^\d+ passed, \d+ failed/.test(l))).toEqual(["0 passed, 1 failed"]);
    expect(res.status).toBe(1);
  });
});

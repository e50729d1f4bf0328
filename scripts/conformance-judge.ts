// Judges one run of the conformance suite for one protocol revision: every scenario it lists, the checks each wrote, the expected failures, and the suite's own exit.

/** One expected failure: a whole scenario, or one check of it; never without a reason. With `mode`, in that serving mode only. */
export interface ExpectedFailure {
  scenario: string;
  check?: string;
  reason: string;
  mode?: string;
}

/** A server scenario the revision's requirement set lists: scored (required), or run and reported only (with the suite's reason). */
export interface ListedScenario {
  scenario: string;
  scored: boolean;
  why?: string;
}

export type Checks = ReadonlyArray<{ id: string; status: string }>;

export interface RunOutcome {
  revision: string;
  /** The serving mode the server ran in (sessions, stateless): an expected failure of another mode excuses nothing here. */
  mode?: string;
  listed: readonly ListedScenario[];
  /** Scenario → the checks its result folder holds. */
  found: ReadonlyMap<string, Checks>;
  expected: readonly ExpectedFailure[];
  /** How the suite's process ended: its exit status, or the signal that killed it (a timeout kills it too). */
  exit: { status: number | null; signal: string | null; error?: string };
}

export interface Verdict {
  lines: string[];
  passed: number;
  failed: number;
  skipped: number;
}

/** A check that did not hold: FAILURE, or WARNING (a SHOULD not met), as the suite's own baseline counts them. */
const failing = (status: string) => status === "FAILURE" || status === "WARNING";

/** The ids of the checks that did not hold; an id written twice (a loop, a retry) fails if any occurrence did. */
function failingIds(checks: Checks): Set<string> {
  return new Set(checks.filter((c) => failing(c.status)).map((c) => c.id));
}

/**
 * Passed: every check of a scenario held. Skipped: it failed only as expected-failures.yml says (with its reason), or it
 * failed and the suite itself does not score it for this revision (extension, pending): never counted as passed.
 * Failed: anything else, and also a listed scenario that never ran, an expected failure that passes now or names
 * nothing the suite scores, and a suite that died or whose exit status disagrees with the results.
 */
export function judge(outcome: RunOutcome): Verdict {
  const run = {
    ...outcome,
    expected: outcome.expected.filter((e) => e.mode === undefined || e.mode === outcome.mode),
  };
  const lines: string[] = [];
  let passed = 0;
  let skipped = 0;
  const bad: string[] = [];
  const where = run.mode ? `(${run.mode}, ${run.revision})` : `(${run.revision})`;
  for (const { scenario, scored, why } of run.listed) {
    const checks = run.found.get(scenario);
    if (!checks) {
      bad.push(`${scenario}: listed by the suite for ${run.revision} but it did not run`);
      continue;
    }
    const failed = failingIds(checks);
    // A scenario that wrote no check that held (none at all, or only notes and skips) tested nothing: never a pass.
    const heldOne = checks.some((c) => c.status === "SUCCESS");
    if (!scored) {
      if (failed.size > 0 || !heldOne) {
        skipped++;
        lines.push(
          `  ~ ${scenario}: ${failed.size > 0 ? "failed" : "checked nothing"}; the suite does not score it for ${run.revision} (${why ?? "not scored"})`,
        );
      } else {
        passed++;
        lines.push(`  ✓ ${scenario} (not scored: ${why ?? "not scored"})`);
      }
      continue;
    }
    if (failed.size === 0 && !heldOne) {
      bad.push(`${scenario}: wrote no check that held or failed, so it tested nothing`);
      continue;
    }
    const entries = run.expected.filter((e) => e.scenario === scenario);
    const whole = entries.find((e) => e.check === undefined);
    if (whole) {
      if (failed.size > 0) {
        skipped++;
        lines.push(`  ~ ${scenario}: failed as expected (${whole.reason})`);
      } else bad.push(`${scenario}: passes now; remove it from conformance/expected-failures.yml ${where}`);
      continue;
    }
    const excused = new Map(entries.map((e) => [e.check!, e.reason]));
    const unexcused = [...failed].filter((id) => !excused.has(id));
    // A listed check that is absent or skipped is tolerated (a failed prerequisite stops a scenario early); one that passes is not.
    const stale = [...excused.keys()].filter(
      (id) => checks.find((c) => c.id === id && c.status !== "INFO")?.status === "SUCCESS",
    );
    if (unexcused.length > 0)
      bad.push(
        `${scenario}: check${unexcused.length === 1 ? "" : "s"} ${unexcused.join(", ")} failed and ${unexcused.length === 1 ? "is" : "are"} not in conformance/expected-failures.yml ${where}`,
      );
    else if (stale.length > 0)
      bad.push(
        `${scenario}: check${stale.length === 1 ? "" : "s"} ${stale.join(", ")} ${stale.length === 1 ? "passes" : "pass"} now; remove ${stale.length === 1 ? "it" : "them"} from conformance/expected-failures.yml ${where}`,
      );
    else if (failed.size > 0) {
      skipped++;
      lines.push(
        `  ~ ${scenario}: failed as expected, only ${[...failed].map((id) => `${id} (${excused.get(id)})`).join(", ")}`,
      );
    } else {
      passed++;
      lines.push(`  ✓ ${scenario}`);
    }
  }
  const listed = new Set(run.listed.map((l) => l.scenario));
  const scored = new Set(run.listed.filter((l) => l.scored).map((l) => l.scenario));
  for (const scenario of run.found.keys())
    if (!listed.has(scenario))
      bad.push(`${scenario}: ran, but the suite's requirement set for ${run.revision} does not list it`);
  for (const e of run.expected)
    if (!scored.has(e.scenario))
      bad.push(
        `${e.scenario}: in conformance/expected-failures.yml ${where} but not a scenario the suite scores for ${run.revision}`,
      );
  if (run.exit.signal !== null || run.exit.status === null || run.exit.error) {
    bad.push(
      `the suite died (${run.exit.error ?? (run.exit.signal ? `signal ${run.exit.signal}` : "no exit status")})`,
    );
  } else if (run.exit.status !== 0 && bad.length === 0) {
    bad.push(
      `the suite exited with status ${run.exit.status} though every result matched conformance/expected-failures.yml: read its output`,
    );
  }
  for (const b of bad) lines.push(`  ✗ ${b}`);
  return { lines, passed, failed: bad.length, skipped };
}

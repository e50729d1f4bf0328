// Prints the plain `N passed, N failed` closing line that CI reads; it never says 0 failed for a run vitest fails.
import type { SerializedError } from "vitest";
import type { Reporter, TestModule, TestRunEndReason, Vitest } from "vitest/node";

/** Failures that are not a failed test: a file that did not load, a failing beforeAll/afterAll of a file or suite. */
function outsideTests(mod: TestModule): number {
  let n = mod.errors().length > 0 ? 1 : 0;
  for (const suite of mod.children.allSuites()) if (suite.errors().length > 0) n++;
  return n;
}

export default class SummaryReporter implements Reporter {
  private passWithNoTests = false;

  onInit(vitest: Vitest): void {
    this.passWithNoTests = vitest.config.passWithNoTests;
  }

  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      failed += outsideTests(mod);
    }
    if (testModules.length === 0 && !this.passWithNoTests) failed++;
    // Whatever else made vitest fail the run (or a cancelled run) still reads as a failure.
    if (failed === 0 && (reason !== "passed" || Number(process.exitCode ?? 0) !== 0)) failed = 1;
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
  }
}

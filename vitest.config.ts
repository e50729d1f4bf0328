// Test runner settings: node environment, the summary reporter CI reads, sane timeouts.
import { availableParallelism } from "node:os";
import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Load and lifetime tests (the quick bench among them) spawn the CLI many times and run for a while: `npm run test:load`.
    exclude: [...configDefaults.exclude, "test/load/**"],
    environment: "node",
    // The bundle's code cache in a folder of this run, not ~/.cache.
    globalSetup: ["./test/support/compile-cache-folder.ts"],
    // Test files share each worker's process and modules (vitest's per-file isolation cost about a minute of a run);
    // what a file could leave behind in src's module state is cleared before the next one.
    isolate: false,
    setupFiles: ["./test/support/fresh-process-state.ts"],
    // Two workers per core: the files wait on child processes, sockets and timers more than they compute, and with one
    // worker per core a 2-core machine sat idle ~40% of the run (vitest 193 s; 154 s with four workers, 149 s with six).
    maxWorkers: availableParallelism() * 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});

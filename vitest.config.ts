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
    // vitest's default keeps one core free (1 worker on a 2-core CI machine); the files wait on I/O and timers more than on CPU.
    maxWorkers: availableParallelism(),
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});

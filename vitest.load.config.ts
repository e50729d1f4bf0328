// Load and lifetime tests (test/load/): one file at a time, so timings are not skewed by the other files running beside them.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/load/**/*.test.ts"],
    environment: "node",
    globalSetup: ["./test/support/compile-cache-folder.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 30_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});

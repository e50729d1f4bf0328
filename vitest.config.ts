// Test runner settings: node environment, the summary reporter CI reads, sane timeouts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});

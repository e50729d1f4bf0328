// Runs before every test file. Files share one process and its modules (vitest `isolate: false`, for speed), so each
// file starts with what a fresh process has: no registered secrets (one file's "wrong" must not mask another's words)
// and telemetry off.
import { beforeAll } from "vitest";
import { forgetSecrets } from "../../src/core/log.js";
import { useTelemetry } from "../../src/core/telemetry.js";

beforeAll(() => {
  forgetSecrets();
  useTelemetry(undefined);
});

// Runs before every test file. Files share one process and its modules (vitest `isolate: false`, for speed), so each
// file starts with what a fresh process has: no registered secrets (one file's "wrong" must not mask another's words)
// and telemetry off. At its end, the file names any CLI output a hook was still waiting for when it ended.
import { afterAll, beforeAll } from "vitest";
import { forgetSecrets } from "../../src/core/log.js";
import { useTelemetry } from "../../src/core/telemetry.js";
import { unfinishedHookWaits } from "./hook-waits.js";

beforeAll(() => {
  forgetSecrets();
  useTelemetry(undefined);
});

// After the file's own afterAll hooks (which run even when a beforeAll timed out), so a wait those ended is not named.
afterAll(() => {
  for (const said of unfinishedHookWaits()) console.error(said);
});

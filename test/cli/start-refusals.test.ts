// The built CLI's start-up refusals a newcomer meets: each names the option, variable or file to change.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, assertBuilt, cleanEnv, cliStarts } from "../support/cli-process.js";

// An empty home and working folder: a developer's own ./config.json or ~/.sailpoint/config.yaml must not leak in.
const EMPTY = mkdtempSync(join(tmpdir(), "isc-mcp-refusals-"));

/** Runs the built CLI to its end (each of these refuses before serving, so it ends by itself); its stdin is closed. */
function run(args: string[], env: Record<string, string> = {}, cwd = EMPTY) {
  assertBuilt();
  const done = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...cleanEnv(), HOME: EMPTY, USERPROFILE: EMPTY, ...env },
    cwd,
    input: "",
    encoding: "utf8",
  });
  return { status: done.status, stdout: done.stdout, stderr: done.stderr.trim() };
}

describe("start-up refusals of the built CLI", cliStarts(8), () => {
  it("refuses --four-eyes over stdio, and `config` does not call it fine, naming the HTTP sign-in flags", () => {
    const served = run(["--sandbox", "--four-eyes", "--confirm", "strict"]);
    expect(served.status).toBe(2);
    expect(served.stdout).toBe("");
    expect(served.stderr).toBe(
      "isc-identities-mcp: --four-eyes needs sign-in, which only the HTTP transport has: add --http --oauth-issuer … --oauth-audience … --oauth-client-id … (the confirmation page signs the approver in).",
    );
    const shown = run(["config", "--sandbox", "--four-eyes", "--confirm", "strict"]);
    expect(shown.status).toBe(2);
    expect(shown.stdout).not.toContain("✓");
    expect(shown.stderr).toMatch(/--four-eyes needs sign-in.*--http --oauth-issuer/);
  });
});

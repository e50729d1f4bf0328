// The raw CLI helper's waits are bounded by the CLI's own end, not a clock: one that ends without what was awaited fails at once, saying what and why.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, initialize, spawnCli, waitForMcpUrl, type RawCli } from "../support/cli-process.js";
import { unfinishedHookWaits } from "../support/hook-waits.js";

describe("spawnCli's waits", () => {
  it("a CLI that stops before its start-up line fails the wait at once, with what was awaited and its stderr", async () => {
    const cli = spawnCli(["--http", "--port", "not-a-port", "--sandbox"], cleanEnv());
    await expect(waitForMcpUrl(cli)).rejects.toThrow(
      /^the start-up line naming the MCP URL: the CLI ended \(exit code 2\) without it; its stderr:\n.*--port must be a non-negative number/,
    );
  });

  it("a response the CLI never sent before its stdin closed fails at once, naming its id; one it sent is still found", async () => {
    const cli = spawnCli(["--sandbox"], cleanEnv());
    initialize(cli);
    expect(await cli.response(0)).toMatchObject({ id: 0, result: { serverInfo: { name: "isc-identities-mcp" } } });
    cli.child.stdin!.end();
    expect((await cli.exited).code).toBe(0);
    await expect(cli.response(7)).rejects.toThrow(/^the response with id 7: the CLI ended \(exit code 0\) without it/);
    expect(await cli.response(0)).toMatchObject({ id: 0 });
  });
});

describe("a wait begun in a hook", () => {
  // A stdio CLI never prints an HTTP start-up line: the hook's wait stays open, as it would when its hook times out.
  let cli: RawCli;
  let wait: Promise<unknown>;
  beforeAll(() => {
    cli = spawnCli(["--sandbox", "--log-level", "info"], cleanEnv());
    wait = waitForMcpUrl(cli).catch((err: unknown) => err);
  });
  afterAll(async () => {
    cli.child.stdin!.end();
    await cli.exited;
  });

  it("is named, with the CLI's stderr, by what the file says at its end; one begun in a test is not", async () => {
    // The CLI has started (its start-up line is on stderr) before the open waits are read.
    await cli.awaitOutput("the stdio start-up line", () =>
      /serving MCP on stdio/.test(cli.stderr()) ? true : undefined,
    );
    const inTest = cli.response(99).catch((err: unknown) => err);
    const said = unfinishedHookWaits();
    expect(said).toEqual([
      expect.stringMatching(
        /^a hook ended \(its timeout\?\) still waiting for the start-up line naming the MCP URL; the CLI's stderr so far:\n[\s\S]+/,
      ),
    ]);
    // Said once: the file's end has nothing left to say about it.
    expect(unfinishedHookWaits()).toEqual([]);
    cli.child.stdin!.end();
    expect(String(await wait)).toMatch(
      /the start-up line naming the MCP URL: the CLI ended \(exit code 0\) without it/,
    );
    expect(String(await inTest)).toMatch(/the response with id 99: the CLI ended/);
  });
});

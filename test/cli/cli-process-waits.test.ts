// The raw CLI helper's waits are bounded by the CLI's own end, not a clock: one that ends without what was awaited fails at once, saying what and why.
import { describe, expect, it } from "vitest";
import { cleanEnv, initialize, spawnCli, waitForMcpUrl } from "../support/cli-process.js";

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

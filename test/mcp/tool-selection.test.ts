// Which tools are offered: read-only beats everything, exclude beats include, unknown names fail at start-up.
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";
import { ConfigError } from "../../src/core/errors.js";
import { cleanEnv, spawnCli } from "../support/cli-process.js";
import { TOOLS } from "../../tools/index.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { startHarness, type Harness } from "../support/harness.js";
import { writeRequests } from "../support/guard-helpers.js";

const READS = [
  "list_identities",
  "get_identity",
  "get_identity_ownership_details",
  "get_role_assignments",
  "get_role_assignment",
  "get_task_status",
];
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function listed(argv: string[], env: Record<string, string> = {}): Promise<string[]> {
  // A client that can show a form: under the default --confirm strict, delete and reset are listed only to such a client.
  h = await startHarness({ sandbox: { identities: 20 }, argv, env, capabilities: { elicitation: { form: {} } } });
  return (await h.client.listTools()).tools.map((t) => t.name);
}

describe("tool selection", () => {
  it("offers all twelve tools by default", async () => {
    expect(await listed([])).toEqual(TOOLS.map((t) => t.name));
    expect(TOOLS).toHaveLength(12);
  });

  it("--read-only lists exactly the read tools, and a write tool is an unknown tool", async () => {
    expect(await listed(["--read-only"])).toEqual(READS);
    // The same JSON-RPC error as a name never heard of (test/mcp/protocol-errors.test.ts): a removed tool does not exist.
    const err = await h!.call("delete_identity", { identityId: "287c561a88d0affe931f863eeb4d88ba" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).code).toBe(ErrorCode.InvalidParams);
    expect((err as McpError).message).toBe(
      `MCP error -32602: Unknown tool "delete_identity". Available tools: ${READS.join(", ")}.`,
    );
    expect(writeRequests(h!.sandbox)).toEqual([]);
  });

  it("ISC_MCP_READ_ONLY=1 does the same", async () => {
    expect(await listed([], { ISC_MCP_READ_ONLY: "1" })).toEqual(READS);
  });

  it("--tools keeps exactly those, in the inventory's order", async () => {
    expect(await listed(["--tools", "delete_identity,get_identity"])).toEqual(["get_identity", "delete_identity"]);
  });

  it("--exclude-tools removes exactly those", async () => {
    expect(await listed(["--exclude-tools", "delete_identity,reset_identity"])).toEqual(
      TOOLS.map((t) => t.name).filter((n) => n !== "delete_identity" && n !== "reset_identity"),
    );
  });

  it("exclude beats include, and read-only beats both", async () => {
    expect(await listed(["--tools", "get_identity,delete_identity", "--exclude-tools", "delete_identity"])).toEqual([
      "get_identity",
    ]);
    await h!.close();
    expect(await listed(["--read-only", "--tools", "get_identity,delete_identity,reset_identity"])).toEqual([
      "get_identity",
    ]);
    await h!.close();
    expect(await listed(["--read-only", "--tools", "delete_identity"])).toEqual([]);
  });

  it("env twins ISC_MCP_TOOLS and ISC_MCP_EXCLUDE_TOOLS work, and flags win", async () => {
    expect(
      await listed([], { ISC_MCP_TOOLS: "get_identity,list_identities", ISC_MCP_EXCLUDE_TOOLS: "list_identities" }),
    ).toEqual(["get_identity"]);
    await h!.close();
    expect(await listed(["--tools", "reset_identity"], { ISC_MCP_TOOLS: "get_identity" })).toEqual(["reset_identity"]);
  });

  it("fails while resolving the config on unknown names, listing the valid ones", () => {
    const known = { tools: TOOLS.map((t) => t.name) };
    for (const argv of [
      ["--tools", "get_identity,delete_everything"],
      ["--exclude-tools", "nope"],
    ]) {
      const resolve = () => resolveConfig(["--sandbox", ...argv], {}, {}, known);
      expect(resolve).toThrow(ConfigError);
      expect(resolve).toThrow(`Valid tools: ${TOOLS.map((t) => t.name).join(", ")}.`);
    }
  });

  it("the built CLI refuses an unknown name with every other config check: `config` says so too, and exits 2", async () => {
    const cli = spawnCli(["config", "--sandbox", "--tools", "get_identity,get_identty"], cleanEnv());
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toBe(
      `isc-identities-mcp: --tools names unknown tool(s): get_identty. Valid tools: ${TOOLS.map((t) => t.name).join(", ")}.\n`,
    );
    expect(cli.stdout()).toBe("");
  });
});

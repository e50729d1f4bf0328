// --stateless --confirm strict: no session means no elicitation, so tools that always confirm are hidden, with one start-up warning.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, spawnCli, waitForMcpUrl, type RawCli } from "../support/cli-process.js";
import { stopProcess } from "../support/replica.js";

const KEY = "stateless-strict-key-0123456789abcdef";

async function start(args: string[]): Promise<{ cli: RawCli; url: string }> {
  const cli = spawnCli(["--sandbox", "--http", "--port", "0", "--stateless", "--single-replica", ...args], {
    ...cleanEnv(),
    ISC_MCP_CONFIRM_KEY: KEY,
  });
  const url = await waitForMcpUrl(cli);
  if (!url) throw new Error(`did not start: ${cli.stderr()}`);
  return { cli, url };
}

async function listed(url: string): Promise<string[]> {
  const client = new Client({ name: "stateless-strict", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  try {
    return (await client.listTools()).tools.map((t) => t.name);
  } finally {
    await client.close();
  }
}

describe("--stateless --confirm strict", () => {
  let strict: { cli: RawCli; url: string };
  let auto: { cli: RawCli; url: string };
  beforeAll(async () => {
    // Strict is the default: the first replica is started without --confirm.
    [strict, auto] = await Promise.all([start([]), start(["--confirm", "auto"])]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([strict && stopProcess(strict.cli), auto && stopProcess(auto.cli)]);
  });

  it("hides delete, reset and the password-reset email from tools/list, and says so once at start-up", async () => {
    const hidden = ["delete_identity", "reset_identity", "send_identity_verification_account_token"];
    const names = await listed(strict.url);
    for (const name of hidden) expect(names).not.toContain(name);
    expect(names).toContain("list_identities");
    expect(names).toContain("start_identities_invite");
    const warnings = strict.cli
      .stderr()
      .split("\n")
      .filter((l) => l.includes("hidden from tools/list"));
    expect(warnings).toHaveLength(1);
    for (const name of hidden) expect(warnings[0]).toContain(name);
    expect(warnings[0]).toContain("use --confirm auto");
    // The start-up line counts what a client actually gets.
    expect(strict.cli.stderr()).toMatch(
      new RegExp(
        `; ${names.length} tools; confirm: strict — only a human confirms, but no human channel can reach a person here; send_identity_verification_account_token, reset_identity, delete_identity are hidden \\(without a session no client can elicit\\)`,
      ),
    );
  });

  it("in auto mode the same tools stay listed (a confirmation code can confirm them) and nothing is warned", async () => {
    const names = await listed(auto.url);
    expect(names).toContain("delete_identity");
    expect(names).toHaveLength(12);
    expect(auto.cli.stderr()).not.toContain("hidden from tools/list");
    expect(auto.cli.stderr()).toContain(
      "; 12 tools; confirm: auto — a model can confirm with a code when no human channel exists",
    );
  });
});

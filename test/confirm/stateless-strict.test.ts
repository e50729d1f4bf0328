// --stateless --confirm strict: a 2025 client without a session cannot be asked, so tools that always confirm are hidden from it (one start-up warning); a 2026 client declaring elicitation keeps them.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditLinesOf, callResult, CLI_ERAS, type EraClient } from "../support/cli-eras.js";
import {
  cleanEnv,
  serveTenant,
  spawnCli,
  waitForMcpUrl,
  type RawCli,
  type ServedTenant,
} from "../support/cli-process.js";
import { deletable, textOf } from "../support/confirm-e2e.js";
import { writeRequests } from "../support/guard-helpers.js";
import { stopProcess } from "../support/replica.js";

const KEY = "stateless-strict-key-0123456789abcdef";
// Without a session a 2025 client cannot be asked; a 2026 client's capabilities and answers come with each request.
const legacy = CLI_ERAS.find((e) => e.era === "2025-11-25")!;
const modern = CLI_ERAS.find((e) => e.era !== "2025-11-25")!;

/** `tenant`: a served sandbox to count writes at (else the CLI's own --sandbox). */
async function start(args: string[], tenant?: ServedTenant): Promise<{ cli: RawCli; url: string }> {
  const cli = spawnCli(
    [...(tenant ? [] : ["--sandbox"]), "--http", "--port", "0", "--stateless", "--single-replica", ...args],
    {
      ...(tenant?.env ?? cleanEnv()),
      ISC_MCP_CONFIRM_KEY: KEY,
    },
  );
  return { cli, url: await waitForMcpUrl(cli) };
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
  let tenant: ServedTenant;
  let strict: { cli: RawCli; url: string };
  let auto: { cli: RawCli; url: string };
  const clients: EraClient[] = [];
  beforeAll(async () => {
    tenant = await serveTenant({ identities: 20 });
    // Strict is the default: the first replica is started without --confirm.
    [strict, auto] = await Promise.all([start([], tenant), start(["--confirm", "auto"])]);
  }, 30_000);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
  });
  afterAll(async () => {
    await Promise.all([strict && stopProcess(strict.cli), auto && stopProcess(auto.cli)]);
    await tenant?.served.close();
  });

  it("hides delete, reset and the password-reset email from a 2025 client, and says so once at start-up without denying 2026 clients", async () => {
    const hidden = ["delete_identity", "reset_identity", "send_identity_verification_account_token"];
    const names = await listed(strict.url);
    for (const name of hidden) expect(names).not.toContain(name);
    expect(names).toContain("list_identities");
    expect(names).toContain("start_identities_invite");
    // Declaring elicitation does not help a 2025 client here: the server answering tools/list never saw its initialize.
    const eliciting = await legacy.http(strict.url, { elicitation: { form: {}, url: {} } });
    clients.push(eliciting);
    const elicitingNames = (await eliciting.listTools()).tools.map((t) => t.name);
    for (const name of hidden) expect(elicitingNames).not.toContain(name);
    const warnings = strict.cli
      .stderr()
      .split("\n")
      .filter((l) => l.includes("hidden from tools/list"));
    expect(warnings).toHaveLength(1);
    for (const name of hidden) expect(warnings[0]).toContain(name);
    expect(warnings[0]).toContain("without a session a 2025 client cannot be asked");
    expect(warnings[0]).toContain(
      "a 2026-07-28 client that declares elicitation still sees them and confirms on a form the MCP client shows, or the confirmation page the MCP client opens",
    );
    expect(warnings[0]).toContain("use --confirm auto");
    expect(warnings[0]).not.toMatch(/no (confirmation|human) channel can reach/);
    // What the warning promises a 2026 client: one declaring only URL elicitation is listed the delete (the page's tests confirm on it).
    const pageOnly = await modern.http(strict.url, { elicitation: { url: {} } });
    clients.push(pageOnly);
    expect((await pageOnly.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(hidden));
    // The start-up line counts what a client that can be asked gets (a 2026 one, below), and who is shown less.
    expect(strict.cli.stderr()).toContain(
      `; ${names.length + hidden.length} tools; confirm: strict — only a human confirms, on a form the MCP client shows, or the confirmation page the MCP client opens, to a 2026-07-28 client that declares elicitation; a 2025 client (without a session it cannot be asked) or a client without elicitation is not shown send_identity_verification_account_token, reset_identity, delete_identity`,
    );
  });

  it("in auto mode the same tools stay listed (a confirmation code can confirm them) and nothing is warned", async () => {
    const names = await listed(auto.url);
    expect(names).toContain("delete_identity");
    expect(names).toHaveLength(12);
    expect(auto.cli.stderr()).not.toContain("hidden from tools/list");
    expect(auto.cli.stderr()).toContain(
      "; 12 tools; confirm: auto — a model can confirm with a code when no human channel exists (a human confirms on a form the MCP client shows, or the confirmation page the MCP client opens, to a 2026-07-28 client that declares elicitation; without a session a 2025 client cannot be asked)",
    );
  });

  it("a 2026 client without elicitation: the same tools hidden, a delete refused, nothing written, the audit line names the era", async () => {
    tenant.sandbox.clearRequests();
    const client = await modern.http(strict.url);
    clients.push(client);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain("delete_identity");
    expect(names).toContain("list_identities");
    const id = deletable(tenant.sandbox.state, 1)[0]!;
    const res = callResult(await client.callTool({ name: "delete_identity", arguments: { identityId: id } }));
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/^delete_identity refused: nothing was changed/);
    expect(writeRequests(tenant.sandbox)).toEqual([]);
    await expect
      .poll(() =>
        auditLinesOf(strict.cli.stderr())
          .filter((l) => l.tool === "delete_identity")
          .at(-1),
      )
      .toMatchObject({ era: modern.era, outcome: "refused", targetIds: [id] });
  });

  it("a 2026 client declaring form elicitation: delete is listed, and deletes exactly once after the typed name", async () => {
    tenant.sandbox.clearRequests();
    const id = deletable(tenant.sandbox.state, 1)[0]!;
    const name = tenant.sandbox.state.identities.get(id)!.name;
    const asked: string[] = [];
    const client = await modern.http(strict.url, { elicitation: { form: {} } }, ({ message }) => {
      asked.push(message);
      return message.includes(JSON.stringify(name)) ? { action: "accept", content: { name } } : { action: "decline" };
    });
    clients.push(client);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("delete_identity");
    const res = callResult(await client.callTool({ name: "delete_identity", arguments: { identityId: id } }));
    expect(textOf(res)).toContain("was deleted");
    expect(res.isError).toBeFalsy();
    expect(asked).toHaveLength(1);
    expect(tenant.sandbox.state.deleted).toEqual([id]);
    expect(writeRequests(tenant.sandbox)).toHaveLength(1);
    await expect
      .poll(() =>
        auditLinesOf(strict.cli.stderr())
          .filter((l) => l.tool === "delete_identity")
          .at(-1),
      )
      .toMatchObject({ era: modern.era, outcome: "executed", confirmation: "form", targetIds: [id] });
  });
});

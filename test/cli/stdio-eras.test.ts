// Over stdio, both protocol eras: a 2026-07-28 client (SDK v2, pinned), and a host that probes with server/discover then sends a 2025 initialize.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { describeWithBrowser, launchBrowser, type TestBrowser } from "../support/browser.js";
import { serveTenant, spawnCli, type RawCli, type ServedTenant } from "../support/cli-process.js";
import { browserScript, deletable, type BrowserScript } from "../support/confirm-e2e.js";
import { codeDeletesOnce, typeNameOnPage } from "../support/confirm-steps.js";
import { writeRequests, type AuditLine } from "../support/guard-helpers.js";
import { auditLinesOf } from "../support/cli-eras.js";
import { MODERN, startModernCli, type ModernCli } from "../support/modern-cli.js";

/** No desktop unless a test gives one: what BROWSER says is all the server has. */
const NO_DESKTOP = { DISPLAY: "", WAYLAND_DISPLAY: "", BROWSER: "" };
const ALWAYS_CONFIRMED = ["delete_identity", "reset_identity", "send_identity_verification_account_token"];

type Result = {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
};
const textOf = (r: Result): string => r.content.map((c) => c.text ?? "").join("\n");

/** For one describe block: a served tenant and the built CLI (these flags, no desktop) driven by a 2026-07-28 client. */
function modernCliPerBlock(
  args: string[],
  capabilities: Record<string, unknown> = {},
  env: () => Record<string, string> = () => ({}),
): { tenant: ServedTenant; cli: ModernCli } {
  const ctx = {} as { tenant: ServedTenant; cli: ModernCli };
  beforeAll(async () => {
    ctx.tenant = await serveTenant({ identities: 20 });
    ctx.cli = await startModernCli(args, { ...ctx.tenant.env, ...NO_DESKTOP, ...env() }, { capabilities });
  }, 60_000);
  afterAll(async () => {
    await ctx.cli?.client.close();
    await ctx.tenant?.served.close();
  });
  return ctx;
}

/** The delete audit lines once there are `n` of them (the CLI writes them to stderr just after answering). */
async function deleteAudit(stderr: () => string, n: number): Promise<AuditLine[]> {
  const lines = () => auditLinesOf(stderr()).filter((l) => l.tool === "delete_identity");
  await expect.poll(lines).toHaveLength(n);
  return lines();
}

describe("a 2026-07-28 client over stdio that declares form elicitation, no browser", () => {
  const ctx = modernCliPerBlock(["--confirm", "strict"], { elicitation: { form: {} } });
  /** The forms the client was asked to show (input requests its driver hands to this handler), and what it answers. */
  const asked: Array<{ message?: string }> = [];
  let answer: (message: string) => Record<string, unknown> = () => ({ action: "decline" });
  beforeAll(() => {
    ctx.cli.client.setRequestHandler("elicitation/create", (req) => {
      const params = req.params as { message?: string };
      asked.push(params);
      return answer(params.message ?? "") as never;
    });
  });

  it("connects in 2026-07-28, lists every tool (it can confirm), and reads an identity", async () => {
    const { tenant, cli } = ctx;
    expect(cli.client.getNegotiatedProtocolVersion()).toBe(MODERN);
    const names = (await cli.client.listTools()).tools.map((t) => t.name);
    for (const shown of ALWAYS_CONFIRMED) expect(names).toContain(shown);
    const [id, identity] = [...tenant.sandbox.state.identities.entries()][0]!;
    const read = (await cli.client.callTool({ name: "get_identity", arguments: { identityId: id } })) as Result;
    expect(read.isError).toBeFalsy();
    expect(textOf(read)).toContain(identity.name);
    expect((read.structuredContent?.identity as { id?: string } | undefined)?.id).toBe(id);
  });

  it("deletes exactly once after the name is typed in the form (an input request), and the audit line names the era", async () => {
    const { tenant, cli } = ctx;
    const id = deletable(tenant.sandbox.state, 1)[0]!;
    const name = tenant.sandbox.state.identities.get(id)!.name;
    answer = (message) =>
      message.includes(JSON.stringify(name)) ? { action: "accept", content: { name } } : { action: "decline" };
    const res = (await cli.client.callTool({ name: "delete_identity", arguments: { identityId: id } })) as Result;
    expect(res.isError).toBeFalsy();
    expect(textOf(res)).toContain("was deleted");
    expect(asked).toHaveLength(1);
    expect(tenant.sandbox.state.deleted).toEqual([id]);
    expect(writeRequests(tenant.sandbox).filter((r) => r.method === "DELETE")).toHaveLength(1);
    expect((await deleteAudit(cli.stderr, 1))[0]).toMatchObject({
      era: MODERN,
      outcome: "executed",
      confirmation: "form",
      targetIds: [id],
    });
  });
});

describe("a 2026-07-28 client over stdio without elicitation, no browser", () => {
  const ctx = modernCliPerBlock(["--confirm", "strict"]);

  it("lists the tools without those that always confirm, and refuses a delete cleanly: nothing reaches ISC, the audit line names the era", async () => {
    const { tenant, cli } = ctx;
    const names = (await cli.client.listTools()).tools.map((t) => t.name);
    for (const hidden of ALWAYS_CONFIRMED) expect(names).not.toContain(hidden);
    expect(names).toHaveLength(9);
    const id = deletable(tenant.sandbox.state, 1)[0]!;
    const res = (await cli.client.callTool({ name: "delete_identity", arguments: { identityId: id } })) as Result;
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/^delete_identity refused: nothing was changed/);
    expect(textOf(res)).toContain("this client does not support elicitation");
    expect(writeRequests(tenant.sandbox)).toEqual([]);
    expect(tenant.sandbox.state.identities.has(id)).toBe(true);
    expect((await deleteAudit(cli.stderr, 1))[0]).toMatchObject({
      era: MODERN,
      outcome: "refused",
      targetIds: [id],
    });
  });
});

describe("a 2026-07-28 client over stdio, --confirm auto, no browser", () => {
  // No elicitation declared: codes are what --confirm auto has left.
  const ctx = modernCliPerBlock(["--confirm", "auto"]);

  it("confirms with a code the model passes back: one delete, then the code is spent", async () => {
    const { tenant, cli } = ctx;
    expect((await cli.client.listTools()).tools.map((t) => t.name)).toContain("delete_identity");
    await codeDeletesOnce(cli.client, tenant.sandbox);
    expect((await deleteAudit(cli.stderr, 3)).map((l) => [l.era, l.confirmation, l.outcome])).toEqual([
      [MODERN, "code", "refused"],
      [MODERN, "code", "executed"],
      [MODERN, "code", "refused"],
    ]);
  });
});

describeWithBrowser("a 2026-07-28 client over stdio, with a browser", () => {
  let browser: TestBrowser;
  const script: BrowserScript = browserScript();
  const ctx = modernCliPerBlock(["--confirm", "strict", "--confirm-wait", "30"], {}, () => ({
    BROWSER: script.command,
  }));
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it("lists delete, and deletes once after the name is typed on the page", async () => {
    const { tenant, cli } = ctx;
    const names = (await cli.client.listTools()).tools.map((t) => t.name);
    for (const shown of ALWAYS_CONFIRMED) expect(names).toContain(shown);
    const id = deletable(tenant.sandbox.state, 1)[0]!;
    const name = tenant.sandbox.state.identities.get(id)!.name;
    const pending = cli.client.callTool(
      { name: "delete_identity", arguments: { identityId: id } },
      { timeout: 120_000 },
    ) as Promise<Result>;
    const page = await typeNameOnPage(browser, await script.nth(1), name);
    const res = await pending;
    expect(res.isError).toBeFalsy();
    expect(textOf(res)).toContain("was deleted");
    expect(tenant.sandbox.state.deleted).toEqual([id]);
    expect(writeRequests(tenant.sandbox).filter((r) => r.method === "DELETE")).toHaveLength(1);
    expect((await deleteAudit(cli.stderr, 1))[0]).toMatchObject({
      era: MODERN,
      outcome: "executed",
      confirmation: "browser",
    });
    await page.close();
  });
});

describe("a host that probes with server/discover, then sends a 2025 initialize", () => {
  let tenant: ServedTenant;
  let cli: RawCli | undefined;
  beforeAll(async () => {
    tenant = await serveTenant({ identities: 20 });
  });
  afterEach(async () => {
    if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill("SIGKILL");
      await cli.exited;
    }
    cli = undefined;
  });
  afterAll(async () => {
    await tenant?.served.close();
  });

  const envelope = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientInfo": { name: "prober", version: "1" },
    "io.modelcontextprotocol/clientCapabilities": {},
  };

  it("answers the probe, then serves the session in 2025 (its audit line says so), and still answers a malformed line", async () => {
    const c = (cli = spawnCli(["--confirm", "auto"], { ...tenant.env, ...NO_DESKTOP }));
    c.send({ jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: envelope } });
    const discovered = (await c.response(1)) as { result?: { supportedVersions?: string[] } };
    expect(discovered.result?.supportedVersions).toContain(MODERN);
    c.send({
      jsonrpc: "2.0",
      id: 2,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "prober", version: "1" } },
    });
    const init = (await c.response(2)) as { result?: { protocolVersion?: string; serverInfo?: { name?: string } } };
    expect(init.result?.protocolVersion).toBe("2025-11-25");
    expect(init.result?.serverInfo?.name).toBe("isc-identities-mcp");
    c.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    c.child.stdin!.write("not json\n");
    c.send({ jsonrpc: "2.0", id: 3, method: "tools/list" });
    const listed = (await c.response(3)) as { result?: { tools?: Array<{ name: string }> } };
    // --confirm auto: codes confirm, so every tool is listed.
    expect(listed.result?.tools?.map((t) => t.name)).toContain("delete_identity");
    const id = deletable(tenant.sandbox.state, 1)[0]!;
    c.send({
      jsonrpc: "2.0",
      id: 4,
      method: "tools/call",
      params: { name: "delete_identity", arguments: { identityId: id } },
    });
    const first = (await c.response(4)) as { result?: { structuredContent?: { status?: string } } };
    expect(first.result?.structuredContent?.status).toBe("confirmation_required");
    expect(c.stdout()).toContain('{"jsonrpc":"2.0","id":null,"error":{"code":-32700');
    expect(writeRequests(tenant.sandbox)).toEqual([]);
    await expect.poll(() => auditLinesOf(c.stderr()).filter((l) => l.tool === "delete_identity")).toHaveLength(1);
    expect(auditLinesOf(c.stderr())[0]).toMatchObject({ era: "2025-11-25", tool: "delete_identity" });
  });

  it("serves a 2026 session opened by discover: requests with the envelope, and a delete without a channel refused under strict", async () => {
    const c = (cli = spawnCli(["--confirm", "strict"], { ...tenant.env, ...NO_DESKTOP }));
    c.send({ jsonrpc: "2.0", id: 1, method: "server/discover", params: { _meta: envelope } });
    expect(((await c.response(1)) as { result?: { supportedVersions?: string[] } }).result?.supportedVersions).toEqual([
      MODERN,
    ]);
    c.send({ jsonrpc: "2.0", id: 2, method: "tools/list", params: { _meta: envelope } });
    const listed = (await c.response(2)) as { result?: { tools?: Array<{ name: string }> } };
    const names = listed.result?.tools?.map((t) => t.name) ?? [];
    expect(names).toContain("get_identity");
    expect(names).toHaveLength(9);
    // Capabilities come with each request: the same session declaring form in one request lists the tools that always
    // confirm for that request only.
    const withForm = { ...envelope, "io.modelcontextprotocol/clientCapabilities": { elicitation: { form: {} } } };
    c.send({ jsonrpc: "2.0", id: 20, method: "tools/list", params: { _meta: withForm } });
    const listedWithForm = (await c.response(20)) as { result?: { tools?: Array<{ name: string }> } };
    for (const shown of ALWAYS_CONFIRMED) expect(listedWithForm.result?.tools?.map((t) => t.name)).toContain(shown);
    c.send({ jsonrpc: "2.0", id: 21, method: "tools/list", params: { _meta: envelope } });
    expect(((await c.response(21)) as { result?: { tools?: unknown[] } }).result?.tools).toHaveLength(9);
    const id = deletable(tenant.sandbox.state, 1)[0]!;
    c.send({
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { name: "delete_identity", arguments: { identityId: id }, _meta: envelope },
    });
    const res = (await c.response(3)) as { result?: Result };
    expect(res.result?.isError).toBe(true);
    expect(textOf(res.result!)).toMatch(/^delete_identity refused: nothing was changed/);
    expect(writeRequests(tenant.sandbox)).toEqual([]);
  });
});

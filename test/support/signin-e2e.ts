// For the sign-in end-to-end test: the built CLI over HTTP with OAuth against a served sandbox, MCP clients with a person's token, the provider's login form.
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { TestBrowser } from "./browser.js";
import { spawnCli, type ServedTenant } from "./cli-process.js";
import { MODERN } from "./modern-cli.js";
import { CLIENT, signInArgs, type OidcFixture } from "./oidc-provider.js";

export { AUDIENCE } from "./oidc-provider.js";

export interface SignedInCli {
  /** http://127.0.0.1:<port>/mcp */
  url: string;
  /** The audit log's lines, parsed. */
  audit(): Array<Record<string, unknown>>;
  stderr(): string;
  close(): Promise<void>;
}

/**
 * The CLI with sign-in (its page client registered at the provider once the port is known), auditing to a file.
 * `withoutClient`: no --oauth-client-id (and no client secret); `env`: more environment (e.g. ISC_MCP_CONFIRM_KEY).
 */
export async function startSignedInCli(
  idp: OidcFixture,
  tenant: Pick<ServedTenant, "env">,
  args: string[] = [],
  { env = {}, withoutClient = false }: { env?: Record<string, string>; withoutClient?: boolean } = {},
): Promise<SignedInCli> {
  const auditFile = join(mkdtempSync(join(tmpdir(), "isc-mcp-signin-")), "audit.jsonl");
  const signIn = withoutClient ? signInArgs(idp).slice(0, 4) : signInArgs(idp);
  const argv = ["--http", "--port", "0", ...signIn, "--audit-log", auditFile, "--confirm-wait", "90", ...args];
  const cli = spawnCli(argv, {
    ...tenant.env,
    ...(withoutClient ? {} : { ISC_MCP_OAUTH_CLIENT_SECRET: CLIENT.secret }),
    ...env,
  });
  const close = async () => {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill("SIGTERM");
    const killer = setTimeout(() => cli.child.kill("SIGKILL"), 10_000);
    await cli.exited;
    clearTimeout(killer);
  };
  const deadline = Date.now() + 20_000;
  let url: string | undefined;
  while (!url && Date.now() < deadline && cli.child.exitCode === null) {
    url = /serving MCP on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(cli.stderr())?.[1];
    if (!url) await new Promise((r) => setTimeout(r, 25));
  }
  if (!url) {
    await close();
    throw new Error(`the server did not start: ${cli.stderr()}`);
  }
  const page = new URL(args.includes("--public-url") ? args[args.indexOf("--public-url") + 1]! : new URL(url).origin);
  idp.allowRedirect(new URL("signin/callback", page.href.endsWith("/") ? page : `${page.href}/`).href);
  return {
    url,
    audit: () =>
      existsSync(auditFile)
        ? readFileSync(auditFile, "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Record<string, unknown>)
        : [],
    stderr: cli.stderr,
    close,
  };
}

export interface Asker {
  /** Calls a tool; `page()` resolves with the confirmation page's URL once the server asked the client to open it. */
  call(
    name: string,
    args: Record<string, unknown>,
  ): { result: Promise<CallToolResult>; page: Promise<{ url: string; message: string }> };
  /** The names tools/list gives this client. */
  tools(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * An MCP client (URL elicitation only, as a browser-based host would have) sending this person's access token.
 * `era` "2025": sdk 1.32 on a session; "2026": the v2 client pinned to 2026-07-28 on the per-request leg (the page comes
 * as an input request; the client calls again with the round's requestState, and that round waits for the page).
 */
export async function askerWith(url: string, token: string, era: "2025" | "2026" = "2025"): Promise<Asker> {
  let opened: ((page: { url: string; message: string }) => void) | undefined;
  const open = (params: unknown) => {
    const p = params as { url?: string; message: string };
    opened?.({ url: p.url ?? "", message: p.message });
    return { action: "accept" as const };
  };
  const headers = { authorization: `Bearer ${token}` };
  let callTool: (name: string, args: Record<string, unknown>) => Promise<CallToolResult>;
  let close: () => Promise<void>;
  let tools: () => Promise<string[]>;
  if (era === "2026") {
    const client = new ModernClient(
      { name: "helpdesk-copilot", version: "2.0.0" },
      { capabilities: { elicitation: { url: {} } }, versionNegotiation: { mode: { pin: MODERN } } },
    );
    client.setRequestHandler("elicitation/create", async (req) => open(req.params) as never);
    await client.connect(new ModernTransport(new URL(url), { requestInit: { headers } }));
    callTool = async (name, args) =>
      (await client.callTool({ name, arguments: args }, { timeout: 150_000 } as never)) as CallToolResult;
    tools = async () => (await client.listTools()).tools.map((t) => t.name);
    close = () => client.close().catch(() => {});
  } else {
    const client = new Client(
      { name: "helpdesk-copilot", version: "1.0.0" },
      { capabilities: { elicitation: { url: {} } } },
    );
    client.setRequestHandler(ElicitRequestSchema, async (req) => open(req.params));
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
    callTool = async (name, args) =>
      (await client.callTool({ name, arguments: args }, undefined, { timeout: 150_000 })) as CallToolResult;
    tools = async () => (await client.listTools()).tools.map((t) => t.name);
    close = () => client.close().catch(() => {});
  }
  return {
    call(name, args) {
      const page = new Promise<{ url: string; message: string }>((resolve) => (opened = resolve));
      return { result: callTool(name, args), page };
    },
    tools: () => tools(),
    close,
  };
}

/** Opens the page in a fresh cookie jar, signs in at the provider's login form as `who`, and lands back on the page. */
export async function visitAs(browser: TestBrowser, idp: OidcFixture, who: string, url: string) {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  await page.goto(url);
  await page.waitForURL((u) => u.origin === idp.issuer, { timeout: 30_000 });
  await page.fill("input[name=login]", who);
  await page.click("button");
  await page.waitForURL((u) => u.href === url, { timeout: 30_000 });
  return page;
}

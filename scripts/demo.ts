// `npm run demo`: starts the built server with --sandbox over stdio, drives it with a real MCP client, prints each step.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE } from "../src/core/version.js";
import { detectInvocation, type Invocation } from "../src/cli/invocation.js";

const cli = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const out = (line = "") => process.stdout.write(line + "\n");
const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  out(`\n▶ ${name} ${JSON.stringify(args)}`);
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const first = result.content[0];
  const text = first?.type === "text" ? first.text : "";
  out(indent(result.isError ? `✗ (isError) ${text}` : text));
  return result;
}

async function main(): Promise<void> {
  out("isc-identities-mcp demo: the real server over stdio, against its built-in sandbox tenant.");
  // The SDK passes a server only a few variables (HOME, PATH, …); the code cache's switches are the user's too.
  const cacheVars = Object.fromEntries(
    ["NODE_COMPILE_CACHE", "NODE_DISABLE_COMPILE_CACHE"].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
  );
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, "--sandbox"],
    env: { ...getDefaultEnvironment(), ...cacheVars },
    stderr: "pipe",
  });
  transport.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`  [server] ${chunk.toString()}`));
  // The demo client declares elicitation and plays the human: each form gets the next scripted answer.
  const client = new Client(
    { name: "isc-identities-mcp-demo", version: "1.0.0" },
    { capabilities: { elicitation: { form: {} } } },
  );
  const answers: Array<(message: string) => ElicitResult> = [];
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    out(indent(`[form shown to the human]\n${indent(req.params.message)}`));
    // A person reads the preview first: an answer within --confirm-fast-answer (1 s) would be taken for a client's, unseen.
    await new Promise((r) => setTimeout(r, 1_500));
    const answer = (answers.shift() ?? (() => ({ action: "cancel" as const })))(req.params.message);
    out(indent(`[the human answers] ${JSON.stringify(answer)}`));
    return answer;
  });
  await client.connect(transport);

  const { tools } = await client.listTools();
  out(`\n▶ tools/list: ${tools.length} tools`);
  for (const t of tools)
    out(
      `    ${t.name.padEnd(42)} ${t.annotations?.readOnlyHint ? "read" : t.annotations?.destructiveHint ? "destructive" : "write"}`,
    );

  const listed = await call(client, "list_identities", {
    filters: 'name sw "A"',
    sorters: "name",
    limit: 5,
    count: true,
  });
  const rows = (listed.structuredContent as { items: Array<{ id: string; name: string }> }).items;
  const first = rows[0];
  if (!first) throw new Error("the sandbox returned no identities");
  await call(client, "get_identity", { identityId: first.id });

  // Find an identity that owns something and one with roles, the way a helpdesk agent would.
  const page = (await client.callTool({ name: "list_identities", arguments: { limit: 60 } })) as CallToolResult;
  const candidates = (page.structuredContent as { items: Array<{ id: string }> }).items;
  let owner: string | undefined;
  for (const c of candidates) {
    const owned = (await client.callTool({
      name: "get_identity_ownership_details",
      arguments: { identityId: c.id },
    })) as CallToolResult;
    if ((owned.structuredContent as { owned?: unknown[] } | undefined)?.owned?.length) {
      await call(client, "get_identity_ownership_details", { identityId: c.id });
      owner = c.id;
      break;
    }
  }
  for (const c of candidates) {
    const roles = (await client.callTool({
      name: "get_role_assignments",
      arguments: { identityId: c.id },
    })) as CallToolResult;
    const assignments =
      (roles.structuredContent as { assignments?: Array<{ id: string }> } | undefined)?.assignments ?? [];
    if (assignments[0]) {
      await call(client, "get_role_assignments", { identityId: c.id });
      await call(client, "get_role_assignment", { identityId: c.id, assignmentId: assignments[0].id });
      break;
    }
  }

  out("\nError cases (what a model reads when it gets something wrong):");
  await call(client, "get_identity", { identityId: "0123456789abcdef0123456789abcdef" });
  await call(client, "list_identities", { filters: 'department eq "Sales"' });
  await call(client, "get_identity", { identityId: "../../oauth/token" });

  out("\nSafety: a destructive call waits for a human, who sees a preview (this client plays the human).");
  // The leaver: someone who owns nothing and is not protected, found the way an agent would.
  const leavers = (await client.callTool({
    name: "list_identities",
    arguments: { filters: "protected eq false", limit: 60 },
  })) as CallToolResult;
  let leaver: { id: string; name: string } | undefined;
  for (const c of (leavers.structuredContent as { items: Array<{ id: string; name: string }> }).items) {
    const owned = (await client.callTool({
      name: "get_identity_ownership_details",
      arguments: { identityId: c.id },
    })) as CallToolResult;
    if ((owned.structuredContent as { owned?: unknown[] }).owned?.length === 0) {
      leaver = c;
      break;
    }
  }
  if (!leaver) throw new Error("the sandbox has no deletable identity");
  const name = leaver.name;
  answers.push(() => ({ action: "decline" }));
  await call(client, "delete_identity", { identityId: leaver.id });
  answers.push(() => ({ action: "accept", content: { name } }));
  await call(client, "delete_identity", { identityId: leaver.id });
  if (owner) {
    out("\nAn identity that still owns objects is refused before anyone is asked:");
    await call(client, "delete_identity", { identityId: owner });
  }

  await client.close();
  const readme =
    PACKAGE.root && existsSync(join(PACKAGE.root, "README.md")) ? join(PACKAGE.root, "README.md") : PACKAGE.homepage;
  // The bare command exists only on a global install's PATH: from a checkout (where the README sends newcomers) or a
  // local install, npx finds this package's own bin; from npx's cache, npx -y fetches it again.
  const kind = detectInvocation({ entry: fileURLToPath(import.meta.url), execPath: process.execPath }).kind;
  const command: Record<Invocation["kind"], string> = {
    "global install": "isc-identities-mcp",
    npx: "npx -y isc-identities-mcp",
    checkout: "npx isc-identities-mcp",
    "local install": "npx isc-identities-mcp",
  };
  out(
    `\nDone. To use it with your tenant, read "Install" and "Use it with your tenant" in ${readme}, or run: ${command[kind]} init --client claude-desktop|claude-code|vscode|cursor`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

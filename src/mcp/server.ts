// The MCP server factory: lists what the inventory offers each client, and hands each tool call to call-tool.ts. SDK-specific.
import type { CallToolResult, InputRequiredResult, Server, ServerContext } from "@modelcontextprotocol/server";
import { TracedServer } from "./traced-server.js";
import { createAuditLog, type AuditLog } from "../guard/audit.js";
import type { Config } from "../config/resolve.js";
import { createGuard, type Guard } from "../guard/index.js";
import type { InFlight } from "../core/in-flight.js";
import type { IscClient } from "../isc/client.js";
import type { Logger } from "../core/log.js";
import { callTool } from "./call-tool.js";
import { clientEra } from "./client-era.js";
import { listedTool } from "./listed-tools.js";
import { callerOf } from "./caller.js";
import type { Inventory } from "./inventory.js";
import { zodJsonSchemaValidator } from "./json-schema-validator.js";
import { PACKAGE } from "../core/version.js";
import { registerPrompts } from "./prompts.js";
import { registerCompletions } from "./completions.js";
import { registerResources } from "./resources.js";
import { invalidParams } from "./protocol-errors.js";
import { closest } from "./parse-arguments.js";

export interface ServerDeps {
  config: Config;
  isc: IscClient;
  log: Logger;
  /** What this server offers, and to whom: made by the CLI from tools/ and prompts/ and the config's selection. */
  inventory: Inventory;
  /** Defaults to --audit-log or stderr. Pass one to close it at shutdown, and share it between servers of one process. */
  audit?: AuditLog;
  /** Defaults to a guard over `audit`. Share one between servers of one process (e.g. HTTP sessions). */
  guard?: Guard;
  /** Counts calls in progress so shutdown can wait for them; its signal cancels whatever is left. */
  inFlight?: InFlight;
}

export const INSTRUCTIONS =
  'Tools for the identities of a SailPoint ISC tenant. Find people with list_identities (filters such as name sw "Ali"), then use the returned id with the other tools. Writes that delete, reset, email or touch many identities need a human\'s confirmation: show the user any preview you get and call again only with their consent.';

export function createServer(deps: ServerDeps): Server {
  const { inventory } = deps;
  const guard =
    deps.guard ??
    createGuard({ config: deps.config, audit: deps.audit ?? createAuditLog({ file: deps.config.auditLog }) });
  // Traced: a span and a duration per request when telemetry is on (traced-server.ts).
  const server = new TracedServer(
    { name: PACKAGE.name, version: PACKAGE.version },
    {
      capabilities: { tools: {}, prompts: {}, resources: {}, completions: {} },
      instructions: INSTRUCTIONS,
      // The SDK's default is ajv, which the bundle leaves out (scripts/bundle.ts).
      jsonSchemaValidator: zodJsonSchemaValidator,
      // A confirmation is an input request (form, or the page in URL mode) in both eras; for a 2025 client call-tool.ts
      // sends it itself (legacy-rounds.ts), so the SDK's legacy shim never gets one. Were it to, the call's own timeout
      // would bound each round (the shim's default is 600 s).
      inputRequired: { roundTimeoutMs: deps.config.callTimeoutMs },
    },
  );

  // Per request: with sign-in, each request's token decides which tools its person sees and may run (inventory.ts); a
  // 2026-era client declares what it can receive in each request, not once at initialize. An unknown tool's error names
  // only what this lists.
  const listed = (ctx: ServerContext) =>
    inventory.listed(callerOf(ctx.http?.authInfo), guard.canConfirm(clientEra(server, ctx).elicitation));
  server.setRequestHandler("tools/list", async (_request, ctx) => ({ tools: listed(ctx).map(listedTool) }));
  registerPrompts(server, inventory);
  registerCompletions(server, inventory, deps.isc, deps.log);
  registerResources(server, inventory, deps.isc, deps.config.callTimeoutMs);

  server.setRequestHandler("tools/call", async (request, ctx): Promise<CallToolResult | InputRequiredResult> => {
    const available = inventory.callable(callerOf(ctx.http?.authInfo));
    const tool = available.find((t) => t.name === request.params.name);
    // Spec 2025-11-25 lists unknown tools under protocol errors: -32602, not a tool result. It names only the tools
    // tools/list shows this client, so a tool hidden from it (no human channel under strict) is neither named nor guessed.
    if (!tool) {
      const names = listed(ctx).map((t) => t.name);
      // Only a tool of the same verb: get_identity is no guess for delete_identity, whatever the letters say.
      const verb = (name: string) => name.split("_")[0]!.toLowerCase();
      const near = closest(
        request.params.name,
        names.filter((n) => verb(n) === verb(request.params.name)),
      );
      throw invalidParams(
        `Unknown tool "${request.params.name}".${near ? ` Did you mean ${near}?` : ""} Available tools: ${names.join(", ")}.`,
      );
    }
    return callTool(tool, request.params.arguments, ctx, {
      server,
      config: deps.config,
      isc: deps.isc,
      log: deps.log,
      guard,
      inFlight: deps.inFlight,
      actor: callerOf(ctx.http?.authInfo)?.actor,
    });
  });

  return server;
}

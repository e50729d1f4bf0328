// The MCP server factory: lists the selected tools and runs calls (validation, deadline, errors as text). SDK-specific.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import * as z from "zod";
import { createAuditLog, type AuditLog } from "../guard/audit.js";
import type { Config } from "../config/resolve.js";
import type { AnyTool, ToolKind } from "./define-tool.js";
import { startDeadline } from "../core/deadline.js";
import { errorToText } from "./error-text.js";
import { createGuard, type Guard } from "../guard/index.js";
import type { InFlight } from "../core/in-flight.js";
import type { IscClient } from "../isc/client.js";
import type { Logger } from "../core/log.js";
import { redact } from "../core/log.js";
import type { ToolContext } from "./tool-context.js";
import { listedTool } from "./listed-tools.js";
import { allowedFor, callerOf } from "./caller.js";
import { zodJsonSchemaValidator } from "./json-schema-validator.js";
import { PACKAGE } from "../core/version.js";
import { TOOLS } from "../../tools/index.js";
import { selectTools } from "./tool-selection.js";
import { PROMPTS } from "../../prompts/index.js";
import { registerPrompts } from "./prompts.js";
import { registerResources } from "./resources.js";

export interface ServerDeps {
  config: Config;
  isc: IscClient;
  log: Logger;
  /** Defaults to every tool, narrowed by the config's selection. */
  tools?: readonly AnyTool[];
  /** Defaults to --audit-log or stderr. Pass one to close it at shutdown, and share it between servers of one process. */
  audit?: AuditLog;
  /** Defaults to a guard over `audit`. Share one between servers of one process (e.g. HTTP sessions). */
  guard?: Guard;
  /** Counts calls in progress so shutdown can wait for them; its signal cancels whatever is left. */
  inFlight?: InFlight;
}

export const INSTRUCTIONS =
  "Tools for the identities of a SailPoint ISC tenant. Find people with list_identities (filters such as name sw \"Ali\"), then use the returned id with the other tools. Writes that delete, reset, email or touch many identities need a human's confirmation: show the user any preview you get and call again only with their consent.";

export function createServer(deps: ServerDeps): Server {
  const tools = selectTools(deps.tools ?? TOOLS, deps.config);
  const byName = new Map(tools.map((t) => [t.name, t]));
  const guard = deps.guard ?? createGuard({ config: deps.config, audit: deps.audit ?? createAuditLog({ file: deps.config.auditLog }) });
  const server = new Server({ name: PACKAGE.name, version: PACKAGE.version }, {
    capabilities: { tools: {}, prompts: {}, resources: {} },
    instructions: INSTRUCTIONS,
    // The SDK's default is ajv, which the bundle leaves out (scripts/bundle.ts).
    jsonSchemaValidator: zodJsonSchemaValidator,
  });

  // With sign-in, each request's token decides which tools its person sees and may run.
  server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => ({ tools: tools.filter(allowedFor(callerOf(extra.authInfo))).map(listedTool) }));
  registerPrompts(server, PROMPTS, new Set(byName.keys()));
  registerResources(server, deps.isc, deps.config.callTimeoutMs);

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    const caller = callerOf(extra.authInfo);
    if (!tool) {
      return errorResult(`Unknown tool "${request.params.name}". Available tools: ${tools.filter(allowedFor(caller)).map((t) => t.name).join(", ")}.`);
    }
    if (!allowedFor(caller)(tool)) {
      return errorResult(`Your sign-in does not allow ${tool.kind} tools such as "${tool.name}"; nothing was sent to ISC. Next step: ask your administrator for the right scope, then sign in again.`);
    }
    const parsed = tool.inputSchema.safeParse(request.params.arguments ?? {});
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".") || "(arguments)"))].join(", ");
      return errorResult(`Invalid arguments for tool "${tool.name}":\n${z.prettifyError(parsed.error)}\nNext step: fix ${fields} and call again; nothing was sent to ISC.`);
    }
    const ended = deps.inFlight?.start();
    const deadline = startDeadline(deps.inFlight ? [extra.signal, deps.inFlight.signal] : extra.signal, deps.config.callTimeoutMs);
    const signal = deadline.signal;
    const progressToken = request.params._meta?.progressToken;
    const ctx: ToolContext = {
      config: deps.config,
      toolName: tool.name,
      actor: caller?.actor,
      guard,
      isc: deps.isc,
      signal,
      log: deps.log,
      request: (method, path, options) => deps.isc.request(method, path, { ...options, signal }),
      progress: async (progress, total, message) => {
        if (progressToken === undefined) return;
        await extra.sendNotification({ method: "notifications/progress", params: { progressToken, progress, total, message } });
      },
      get canElicit() {
        return Boolean(server.getClientCapabilities()?.elicitation);
      },
      elicit: async (message, requestedSchema) => {
        const result = await server.elicitInput(
          { mode: "form", message, requestedSchema: requestedSchema as never },
          // The SDK would give up after 60 s; a human typing a name may take longer. The call's deadline bounds it.
          { relatedRequestId: extra.requestId, signal, timeout: deps.config.callTimeoutMs },
        );
        return { action: result.action, content: result.content as Record<string, unknown> | undefined };
      },
    };
    try {
      const out = await tool.handler(parsed.data, ctx);
      const structured = tool.outputSchema.parse(out.structured) as Record<string, unknown>;
      return { content: [{ type: "text", text: redact(out.text) }], structuredContent: structured };
    } catch (err) {
      if (!(err instanceof Error) || err.name !== "IscError") deps.log.debug(`tool ${tool.name} failed: ${String(err)}`);
      return errorResult(errorToText(err, tool));
    } finally {
      deadline.clear();
      ended?.();
    }
  });

  return server;
}

/** The kind of a tool by name, for the HTTP sign-in's scope check before a call reaches this server. */
export function toolKind(name: string): ToolKind | undefined {
  return TOOLS.find((t) => t.name === name)?.kind;
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

/** The names of the tools a server with this config offers (for the start-up line; the same selection createServer makes). */
export function offeredToolNames(config: Parameters<typeof selectTools>[1]): string[] {
  return selectTools(TOOLS, config).map((t) => t.name);
}

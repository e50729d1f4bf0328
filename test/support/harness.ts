// One fixture for behaviour tests: a sandbox on a real loopback port, the real server, and a real MCP client (in memory).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import {
  ElicitRequestSchema,
  type CallToolResult,
  type ClientCapabilities,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js";
import { resolveConfig, type Config } from "../../src/config/resolve.js";
import { connectBackend, type Backend } from "../../src/isc/connect.js";
import { createLogger, type Logger } from "../../src/core/log.js";
import { createServer } from "../../src/mcp/server.js";
import { inventoryFor } from "./inventory.js";
import type { ToolDef } from "../../src/mcp/define-tool.js";
import { createAuditLog } from "../../src/guard/audit.js";
import { createGuard, createMemoryStore } from "../../src/guard/index.js";
import { createSandbox, type Sandbox, type SandboxOptions } from "../../src/sandbox/index.js";
import { TEST_ENV } from "./test-env.js";
import type { Clock } from "../../src/core/clock.js";

export interface HarnessOptions {
  sandbox?: SandboxOptions;
  /** Extra CLI flags, resolved exactly as the CLI would. */
  argv?: string[];
  env?: Record<string, string>;
  /** Overrides applied after resolution (e.g. short timeouts). */
  config?: Partial<Config>;
  /** Answers elicitation requests; when given, the client declares the elicitation capability. */
  onElicit?: (message: string, schema: unknown) => ElicitResult | Promise<ElicitResult>;
  /** What the client declares; @default form elicitation when `onElicit` is given, else nothing. */
  capabilities?: ClientCapabilities;
  /** Serve these tools (and no prompts) instead of tools/ and prompts/. */
  tools?: readonly ToolDef[];
  /** The guard's clock (code expiry, cooldowns). @default Date.now */
  now?: () => number;
  /** The tenant's and the ISC client's clock (token lifetimes, rate windows, tasks; retry waits and task polls). @default real time */
  clock?: Clock;
  /** The ISC client's log (e.g. X-Deprecated notices). @default none */
  log?: Logger;
  /** The MCP server's own log (e.g. completion debug lines). @default silent */
  serverLog?: Logger;
}

export interface Harness {
  client: Client;
  sandbox: Sandbox;
  backend: Backend;
  /** Audit lines (JSON, no newline) when no --audit-log file is configured. */
  audit: string[];
  call(name: string, args?: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult>;
  close(): Promise<void>;
}

/** One notifications/progress as either era's client hands it over. */
export type ProgressNote = { progress: number; total?: number; message?: string };

/** Per-call options both eras' clients take: progress notifications (the call then carries a progress token) and a timeout. */
export interface CallOptions {
  onprogress?: (progress: ProgressNote) => void;
  timeout?: number;
}

/** The server side of a harness (sandbox, backend, audit, guard, one server); both eras' harnesses build it the same way. */
export async function startServerSide(opts: HarnessOptions) {
  // The suite's path assertions are written against /v2025; test/isc/api-versions.test.ts runs every tool on every version.
  const resolved = resolveConfig(["--sandbox", ...(opts.argv ?? [])], {
    ...TEST_ENV,
    ISC_MCP_API_VERSION: "v2025",
    ...opts.env,
  });
  const config: Config = { ...resolved.config, logLevel: "silent", ...opts.config };
  const sandbox = createSandbox({ rateLimit: false, ...(opts.clock ? { now: opts.clock.now } : {}), ...opts.sandbox });
  const backend = await connectBackend(config, {
    sandbox,
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const audit: string[] = [];
  const auditLog = createAuditLog({
    file: config.auditLog,
    write: (line) => audit.push(line.trimEnd()),
    ...(opts.now ? { now: opts.now } : {}),
  });
  // A fresh memory per harness: spent codes and cooldowns of one test never leak into another.
  const guard = createGuard({
    config: backend.config,
    audit: auditLog,
    store: createMemoryStore(),
    ...(opts.now ? { now: opts.now } : {}),
  });
  const server = createServer({
    config: backend.config,
    isc: backend.isc,
    log: opts.serverLog ?? createLogger("silent"),
    audit: auditLog,
    guard,
    inventory: inventoryFor(backend.config, opts.tools ? { tools: opts.tools, prompts: [] } : undefined),
  });
  return { config, sandbox, backend, audit, auditLog, server };
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const { sandbox, backend, audit, auditLog, server } = await startServerSide(opts);
  const capabilities: ClientCapabilities = opts.capabilities ?? (opts.onElicit ? { elicitation: { form: {} } } : {});
  const client = new Client({ name: "test-client", version: "1.0.0" }, { capabilities });
  if (opts.onElicit) {
    const onElicit = opts.onElicit;
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      const params = req.params as { message: string; requestedSchema?: unknown };
      return onElicit(params.message, params.requestedSchema);
    });
  }
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return {
    client,
    sandbox,
    backend,
    audit,
    call: async (name, args = {}, options) =>
      (await client.callTool({ name, arguments: args }, undefined, options)) as CallToolResult,
    close: async () => {
      await client.close();
      await server.close();
      await backend.close();
      await auditLog.close();
    },
  };
}

/** The text of a tool result's first content block. */
export function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first && first.type === "text" ? first.text : "";
}

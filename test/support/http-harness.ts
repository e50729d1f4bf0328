// Fixture for HTTP transport tests: the sandbox, the real server factory behind startHttpServer on 127.0.0.1:0, and SDK clients of both eras.
import { request as httpRequest } from "node:http";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
  type VersionNegotiationMode,
} from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { createAuditLog } from "../../src/guard/audit.js";
import { connectBackend, type Backend } from "../../src/isc/connect.js";
import { resolveConfig, type Config } from "../../src/config/resolve.js";
import { createGuard, createMemoryStore } from "../../src/guard/index.js";
import { createConfirmationPages } from "../../src/guard/page/pages.js";
import { fixedServing, pageBase } from "../../src/guard/page/serving.js";
import { createLogger } from "../../src/core/log.js";
import { createServer } from "../../src/mcp/server.js";
import { inventoryFor } from "./inventory.js";
import { createSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { TEST_ENV } from "./test-env.js";
import { signInArgs, type OidcFixture } from "./oidc-provider.js";
import { startHttpServer, type HttpOptions, type HttpServing } from "../../src/transports/http/server.js";

export interface HttpHarness {
  url: string;
  serving: HttpServing;
  sandbox: Sandbox;
  backend: Backend;
  audit: string[];
  /** The server's warnings and errors (debug and info are dropped), one line each. */
  logs: string[];
  /** `onElicit` gets the form's message and the JSON-RPC id of the server's elicitation/create (to answer it by hand elsewhere). */
  connect(opts?: {
    headers?: Record<string, string>;
    onElicit?: (
      message: string,
      requestId: string | number,
      params: { mode?: string; url?: string },
    ) => ElicitResult | Promise<ElicitResult>;
    /** What the client declares; @default form elicitation when `onElicit` is given, else nothing. */
    capabilities?: Record<string, unknown>;
  }): Promise<{ client: Client; transport: StreamableHTTPClientTransport }>;
  /** The SDK's v2 client (the 2026-era host of the tests), pinned to 2026-07-28 unless `mode` says otherwise. */
  connectModern(opts?: {
    headers?: Record<string, string>;
    mode?: VersionNegotiationMode | "default";
    capabilities?: Record<string, unknown>;
  }): Promise<ModernClient>;
  /** MCP servers the factory made (one per 2025 session, one per per-request exchange) and how many are not closed yet. */
  servers: { made: number; open: number };
  close(): Promise<void>;
}

/**
 * `pages`: serve confirmation pages on the listener (URL elicitation), as serve.ts does; none by default. `now`: the
 * clock of the guard and the pages (a test moves it, or holds it still); the real time by default.
 */
export async function startHttpHarness(
  argv: string[] = [],
  env: Record<string, string> = {},
  options: HttpOptions = {},
  extras: { pages?: boolean; now?: () => number } = {},
): Promise<HttpHarness> {
  // Pinned to v2025 like harness.ts (its path assertions); --api-version in argv still wins.
  const resolved = resolveConfig(["--sandbox", "--http", "--port", "0", ...argv], {
    ...TEST_ENV,
    ISC_MCP_API_VERSION: "v2025",
    ...env,
  });
  const config: Config = { ...resolved.config, logLevel: "silent" };
  const sandbox = createSandbox({ rateLimit: false });
  const backend = await connectBackend(config, { sandbox });
  const logs: string[] = [];
  const log = createLogger("warn", (line) => void logs.push(line));
  const audit: string[] = [];
  const auditLog = createAuditLog({ write: (line) => void audit.push(line) });
  let port = 0;
  const store = extras.pages ? createMemoryStore() : undefined;
  const clock = extras.now ? { now: extras.now } : {};
  const pages = store
    ? createConfirmationPages({
        store,
        serving: fixedServing(() => (port ? pageBase(config, port) : undefined)),
        log,
        ...clock,
      })
    : undefined;
  const guard = createGuard({
    config: backend.config,
    audit: auditLog,
    ...(store ? { store } : {}),
    ...(pages ? { pages } : {}),
    ...clock,
  });
  const servers = { made: 0, open: 0 };
  // As serve.ts does: one inventory for the server and the sign-in's scope check.
  const inventory = inventoryFor(backend.config);
  const makeServer = () => {
    const server = createServer({ config: backend.config, isc: backend.isc, log, audit: auditLog, guard, inventory });
    servers.made++;
    servers.open++;
    // Before any transport: the SDK's handler chains its own close handler after this one.
    server.onclose = () => void servers.open--;
    return server;
  };
  const serving = await startHttpServer(config, makeServer, log, {
    ...options,
    ...(pages ? { pages } : {}),
    oauth: { toolKind: inventory.kindOf, ...options.oauth },
  });
  port = serving.port;
  const clients: Array<{ close(): Promise<void> }> = [];
  return {
    url: serving.url,
    serving,
    sandbox,
    backend,
    audit,
    logs,
    async connect(opts = {}) {
      const capabilities = opts.capabilities ?? (opts.onElicit ? { elicitation: { form: {} } } : {});
      const client = new Client({ name: "http-test", version: "1.0.0" }, { capabilities });
      const onElicit = opts.onElicit;
      if (onElicit)
        client.setRequestHandler(ElicitRequestSchema, async (req, extra) =>
          onElicit(
            (req.params as { message: string }).message,
            extra.requestId,
            req.params as { mode?: string; url?: string },
          ),
        );
      const transport = new StreamableHTTPClientTransport(new URL(serving.url), {
        requestInit: { headers: opts.headers ?? {} },
      });
      await client.connect(transport);
      clients.push(client);
      return { client, transport };
    },
    async connectModern(opts = {}) {
      const mode = opts.mode ?? { pin: MODERN_VERSION };
      const client = new ModernClient(
        { name: "http-test-2026", version: "2.0.0" },
        { capabilities: opts.capabilities ?? {}, ...(mode === "default" ? {} : { versionNegotiation: { mode } }) },
      );
      await client.connect(new ModernTransport(new URL(serving.url), { requestInit: { headers: opts.headers ?? {} } }));
      clients.push(client);
      return client;
    },
    servers,
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      await serving.close();
      await pages?.close();
      await backend.close();
    },
  };
}

/** The harness with sign-in at `idp` (its keys fetched again whenever a token needs them) and these extra flags. */
export function startSignedInHarness(idp: Pick<OidcFixture, "issuer">, argv: string[] = []): Promise<HttpHarness> {
  return startHttpHarness([...signInArgs(idp), ...argv], {}, { oauth: { jwksCooldownMs: 0 } });
}

const MODERN_VERSION = "2026-07-28";

/**
 * A hand-built 2026-07-28 request (or one naming another `version`): the per-request `_meta` envelope and the headers
 * that mirror it (SEP-2243), `Mcp-Name` for a named tool.
 */
export function modernRequest(
  method: string,
  params: Record<string, unknown> = {},
  opts: { version?: string; headers?: Record<string, string>; id?: number } = {},
): { headers: Record<string, string>; body: string } {
  const version = opts.version ?? MODERN_VERSION;
  const meta = {
    "io.modelcontextprotocol/protocolVersion": version,
    "io.modelcontextprotocol/clientInfo": { name: "raw-2026", version: "1" },
    "io.modelcontextprotocol/clientCapabilities": {},
  };
  const name: Record<string, string> = typeof params.name === "string" ? { "mcp-name": params.name } : {};
  return {
    headers: { "mcp-protocol-version": version, "mcp-method": method, ...name, ...opts.headers },
    body: JSON.stringify({ jsonrpc: "2.0", id: opts.id ?? 1, method, params: { ...params, _meta: meta } }),
  };
}

/** The JSON-RPC message of an answer, sent as JSON or as the data of the last SSE event. */
export function rpcMessage(res: { body: string }): {
  id?: unknown;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: Record<string, unknown> };
} {
  const text = res.body.trimStart().startsWith("{")
    ? res.body
    : res.body
        .split("\n")
        .filter((l) => l.startsWith("data: ") && l.length > 6)
        .map((l) => l.slice(6))
        .at(-1)!;
  return JSON.parse(text) as ReturnType<typeof rpcMessage>;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, for what fetch will not send (a foreign Host header) or should not (a huge body). */
export function rawRequest(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: opts.method ?? "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...opts.headers },
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

export const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});

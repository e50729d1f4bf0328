// A client of the built CLI in either protocol era (2025: sdk 1.32; 2026: v2 pinned), over its spawned stdio or its HTTP URL.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  ElicitRequestSchema,
  type CallToolResult,
  type ClientCapabilities,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll } from "vitest";
import { startStdioCli, serveTenant, type ServedTenant } from "./cli-process.js";
import { deletable } from "./confirm-e2e.js";
import { writeRequests, type AuditLine } from "./guard-helpers.js";
import { MODERN, startModernCli } from "./modern-cli.js";

/** The calls the tests make, the same in both eras. */
export interface EraClient {
  listTools(): Promise<{ tools: Array<{ name: string }> }>;
  callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

/** What the host's user answers to a form (or URL) the client is asked to show. */
export type EraHuman = (params: {
  message: string;
  mode?: string;
  url?: string;
}) => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * The client on the CLI's stdio: what it says it is, what it declares, and what its user answers to what it is asked to
 * show. A 2025 client is sent an elicitation/create; a 2026 client gets the question as a round's input request, which
 * its driver hands to the same handler before calling again with the answer.
 */
export interface EraClientOptions {
  info?: { name: string; version: string };
  capabilities?: Record<string, unknown>;
  human?: EraHuman;
}

/** The CLI over stdio as one era's client drives it, with the call options the confirmation tests use. */
export interface EraCli {
  client: EraClient;
  /** Calls a tool, waiting up to a minute (a 2026 call: every round of it). */
  call(
    name: string,
    args: Record<string, unknown>,
    progress?: (p: { message?: string; progress?: number }) => void,
  ): Promise<CallToolResult>;
  /** Everything the CLI wrote to stderr so far. */
  stderr(): string;
  /** Ends the client, and so the CLI's stdin: a host's way to stop a stdio server. */
  close(): Promise<void>;
}

export interface CliEra {
  /** e.g. "2025 client (sdk 1.32)". */
  label: string;
  /** The protocol version the audit line must name. */
  era: string;
  /** Spawns the CLI over stdio with this era's client. */
  stdio(args: string[], env: Record<string, string>, client?: EraClientOptions): Promise<EraCli>;
  /**
   * Connects this era's client to a CLI serving HTTP at `url` (a 2025 session; the 2026 leg per request); `human`
   * answers what it is asked to show; `headers` go with every request (e.g. a bearer token).
   */
  http(
    url: string,
    capabilities?: Record<string, unknown>,
    human?: EraHuman,
    headers?: Record<string, string>,
  ): Promise<EraClient>;
}

/** No desktop unless a test gives one: what BROWSER says is all a spawned CLI has for a browser. */
export const NO_DESKTOP: Readonly<Record<string, string>> = { DISPLAY: "", WAYLAND_DISPLAY: "", BROWSER: "" };

const CALL_TIMEOUT = 60_000;
export const callResult = (r: unknown): CallToolResult => r as CallToolResult;

export const CLI_ERAS: readonly CliEra[] = [
  {
    label: "2025 client (sdk 1.32)",
    era: "2025-11-25",
    stdio: async (args, env, { info, capabilities = {}, human } = {}) => {
      const cli = await startStdioCli(args, env, undefined, {
        ...(info ? { info } : {}),
        capabilities: capabilities as ClientCapabilities,
        ...(human ? { onElicit: async (p) => (await human(p)) as ElicitResult } : {}),
      });
      return {
        client: cli.client,
        call: async (name, a, progress) =>
          callResult(
            await cli.client.callTool({ name, arguments: a }, undefined, {
              timeout: CALL_TIMEOUT,
              ...(progress ? { onprogress: progress } : {}),
            }),
          ),
        stderr: cli.stderr,
        close: () => cli.client.close(),
      };
    },
    http: async (url, capabilities = {}, human, headers = {}) => {
      const client = new LegacyClient({ name: "host-2025", version: "1.0.0" }, { capabilities });
      if (human) client.setRequestHandler(ElicitRequestSchema, async (req) => (await human(req.params)) as never);
      await client.connect(new LegacyTransport(new URL(url), { requestInit: { headers } }));
      return client;
    },
  },
  {
    label: "2026 client (v2 pinned to 2026-07-28)",
    era: MODERN,
    stdio: async (args, env, { info, capabilities, human } = {}) => {
      const cli = await startModernCli(args, env, {
        ...(info ? { info } : {}),
        ...(capabilities ? { capabilities } : {}),
        ...(human ? { onElicit: (p) => human(p as Parameters<EraHuman>[0]) } : {}),
      });
      return {
        client: cli.client,
        call: async (name, a, progress) =>
          callResult(
            await cli.client.callTool({ name, arguments: a }, {
              timeout: CALL_TIMEOUT,
              ...(progress ? { onprogress: progress } : {}),
            } as never),
          ),
        stderr: cli.stderr,
        close: () => cli.client.close(),
      };
    },
    http: async (url, capabilities = {}, human, headers = {}) => {
      const client = new ModernClient(
        { name: "host-2026", version: "2.0.0" },
        { capabilities, versionNegotiation: { mode: { pin: MODERN } } },
      );
      if (human)
        client.setRequestHandler("elicitation/create", async (req) => (await human(req.params as never)) as never);
      await client.connect(new ModernTransport(new URL(url), { requestInit: { headers } }));
      return client;
    },
  },
];

/** The audit lines a CLI wrote to its stderr. */
export const auditLinesOf = (stderr: string): AuditLine[] =>
  stderr
    .split("\n")
    .filter((l) => l.startsWith('{"time"'))
    .map((l) => JSON.parse(l) as AuditLine);

/** Spawns the CLI over stdio for `era` ("2025": sdk 1.32; "2026": v2 pinned), calls waiting up to a minute. */
export function startEraCli(
  era: "2025" | "2026",
  args: string[],
  env: Record<string, string>,
  client?: EraClientOptions,
): Promise<EraCli> {
  return CLI_ERAS[era === "2025" ? 0 : 1]!.stdio(args, env, client);
}

/** A describe block's sandbox tenant and the CLIs its tests start (each test's closed after it). */
export interface EraTenant {
  tenant: ServedTenant;
  /** Identities a delete would succeed on, for the tests to take in turn. */
  ids: string[];
  /** Push each CLI a test starts: it is closed after the test. */
  clis: EraCli[];
  /** The DELETEs the sandbox received for `id`. */
  deletesOf(id: string): Array<{ method: string; path: string }>;
}

/** For one describe block: a served tenant of `identities` with `n` deletable ones, and the CLIs started closed after each test. */
export function eraTenantPerBlock(identities: number, n: number): EraTenant {
  const ctx: EraTenant = {
    tenant: undefined as never,
    ids: [],
    clis: [],
    deletesOf: (id) => writeRequests(ctx.tenant.sandbox).filter((r) => r.method === "DELETE" && r.path.endsWith(id)),
  };
  beforeAll(async () => {
    ctx.tenant = await serveTenant({ identities });
    ctx.ids = deletable(ctx.tenant.sandbox.state, n);
  }, 30_000);
  afterEach(async () => {
    await Promise.all(ctx.clis.splice(0).map((c) => c.close()));
  });
  afterAll(async () => ctx.tenant?.served.close());
  return ctx;
}

// A client of the built CLI in either protocol era (2025: sdk 1.32; 2026: v2 pinned), over its spawned stdio or its HTTP URL.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { AuditLine } from "./guard-helpers.js";
import { startStdioCli } from "./cli-process.js";
import { MODERN, startModernCli } from "./modern-cli.js";

/** The calls the tests make, the same in both eras. */
export interface EraClient {
  listTools(): Promise<{ tools: Array<{ name: string }> }>;
  callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

/** What the host's user answers to a form (or URL) the client is asked to show. */
export type EraHuman = (params: { message: string; mode?: string; url?: string }) => Record<string, unknown>;

export interface CliEra {
  /** e.g. "2025 client (sdk 1.32)". */
  label: string;
  /** The protocol version the audit line must name. */
  era: string;
  /** Spawns the CLI over stdio with this era's client. */
  stdio(
    args: string[],
    env: Record<string, string>,
    capabilities?: Record<string, unknown>,
  ): Promise<{ client: EraClient; stderr(): string }>;
  /** Connects this era's client to a CLI serving HTTP at `url` (a 2025 session; the 2026 leg per request); `human` answers what it is asked to show. */
  http(url: string, capabilities?: Record<string, unknown>, human?: EraHuman): Promise<EraClient>;
}

export const CLI_ERAS: readonly CliEra[] = [
  {
    label: "2025 client (sdk 1.32)",
    era: "2025-11-25",
    stdio: (args, env, capabilities = {}) => startStdioCli(args, env, undefined, { capabilities }),
    http: async (url, capabilities = {}, human) => {
      const client = new LegacyClient({ name: "host-2025", version: "1.0.0" }, { capabilities });
      if (human) client.setRequestHandler(ElicitRequestSchema, async (req) => human(req.params as never) as never);
      await client.connect(new LegacyTransport(new URL(url)));
      return client;
    },
  },
  {
    label: "2026 client (v2 pinned to 2026-07-28)",
    era: MODERN,
    stdio: (args, env, capabilities = {}) => startModernCli(args, env, capabilities),
    http: async (url, capabilities = {}, human) => {
      const client = new ModernClient(
        { name: "host-2026", version: "2.0.0" },
        { capabilities, versionNegotiation: { mode: { pin: MODERN } } },
      );
      if (human) client.setRequestHandler("elicitation/create", async (req) => human(req.params as never) as never);
      await client.connect(new ModernTransport(new URL(url)));
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

export const callResult = (r: unknown): CallToolResult => r as CallToolResult;

/** The CLI over stdio as one era's client drives it, with the call options the confirmation tests use. */
export interface EraCli {
  client: EraClient;
  call(
    name: string,
    args: Record<string, unknown>,
    progress?: (p: { message?: string; progress?: number }) => void,
  ): Promise<CallToolResult>;
  stderr(): string;
  close(): Promise<void>;
}

/** Spawns the CLI over stdio for `era` ("2025": sdk 1.32; "2026": v2 pinned), calls waiting up to a minute. */
export async function startEraCli(era: "2025" | "2026", args: string[], env: Record<string, string>): Promise<EraCli> {
  if (era === "2026") {
    const cli = await startModernCli(args, env);
    return {
      client: cli.client,
      call: async (name, a, progress) =>
        callResult(
          await cli.client.callTool({ name, arguments: a }, {
            timeout: 60_000,
            ...(progress ? { onprogress: progress } : {}),
          } as never),
        ),
      stderr: cli.stderr,
      close: () => cli.client.close(),
    };
  }
  const cli = await startStdioCli(args, env);
  return {
    client: cli.client,
    call: async (name, a, progress) =>
      callResult(
        await cli.client.callTool({ name, arguments: a }, undefined, {
          timeout: 60_000,
          ...(progress ? { onprogress: progress } : {}),
        }),
      ),
    stderr: cli.stderr,
    close: () => cli.client.close(),
  };
}

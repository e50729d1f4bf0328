// Real processes for the multi-replica tests: the standalone sandbox command and `--http --stateless` replicas of the built CLI.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { cleanEnv, serveTenant, spawnCli, waitForMcpUrl, type RawCli, type ServedTenant } from "./cli-process.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { until } from "./until.js";

export const CONFIRM_KEY = "replica-test-confirm-key-0123456789abcdef";

export interface SandboxProcess {
  cli: RawCli;
  url: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

/** `isc-identities-mcp sandbox`, waiting for its start-up line. */
export async function startSandboxProcess(args: string[] = []): Promise<SandboxProcess> {
  const cli = spawnCli(["sandbox", ...args], cleanEnv());
  const line = () =>
    /sandbox tenant serving on (http:\/\/127\.0\.0\.1:\d+) \(client id (\S+), client secret ([^;\s]+);/.exec(
      cli.stderr(),
    );
  // 750 looks 20 ms apart: a count, not a clock (the test's own timeout ends a slow start first).
  await until(() => line() !== null || cli.child.exitCode !== null, "the sandbox's start-up line", 750, 20).catch(
    () => {},
  );
  const match = line();
  if (!match) throw new Error(`sandbox did not start: ${cli.stderr()}`);
  return { cli, url: match[1]!, clientId: match[2]!, clientSecret: match[3]!, stop: () => stopProcess(cli) };
}

export async function stopProcess(cli: RawCli): Promise<void> {
  if (cli.child.exitCode !== null || cli.child.signalCode !== null) return;
  cli.child.kill("SIGTERM");
  await cli.exited;
}

export interface Replica {
  cli: RawCli;
  /** http://127.0.0.1:PORT/mcp */
  url: string;
  origin: string;
  /** One MCP request through a fresh client (stateless: any request may land on any replica). */
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** The same through the SDK's v2 client pinned to protocol 2026-07-28 (no session in that era, in any mode). */
  callModern(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  stop(): Promise<void>;
}

export interface TenantEnv {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
}

/** One real Redis and one served sandbox tenant, started side by side, and the tenant as replicas are given it. */
export async function startRedisAndTenant(identities = 40): Promise<{
  redis: RedisServer;
  tenant: ServedTenant;
  env: TenantEnv;
}> {
  const [redis, tenant] = await Promise.all([startRedisServer(), serveTenant({ identities })]);
  const env = {
    baseUrl: tenant.served.url,
    clientId: tenant.sandbox.clientId,
    clientSecret: tenant.sandbox.clientSecret,
  };
  return { redis, tenant, env };
}

export async function startReplica(
  tenant: TenantEnv,
  args: string[],
  env: Record<string, string> = {},
): Promise<Replica> {
  const cli = spawnCli(["--http", "--port", "0", "--stateless", ...args], {
    ...cleanEnv(),
    SAIL_BASE_URL: tenant.baseUrl,
    SAIL_CLIENT_ID: tenant.clientId,
    SAIL_CLIENT_SECRET: tenant.clientSecret,
    ISC_MCP_CONFIRM_KEY: CONFIRM_KEY,
    // Pinned like the other harnesses, so tests can name the paths ISC sees.
    ISC_MCP_API_VERSION: "v2025",
    ...env,
  });
  const url = await waitForMcpUrl(cli);
  const clients: Client[] = [];
  return {
    cli,
    url,
    origin: new URL(url).origin,
    async call(name, args = {}) {
      const client = new Client({ name: "replica-test", version: "1.0.0" });
      clients.push(client);
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      try {
        return (await client.callTool({ name, arguments: args }, undefined, { timeout: 170_000 })) as CallToolResult;
      } finally {
        await client.close();
      }
    },
    async callModern(name, args = {}) {
      const client = new ModernClient(
        { name: "replica-test-2026", version: "2.0.0" },
        { versionNegotiation: { mode: { pin: "2026-07-28" } } },
      );
      await client.connect(new ModernTransport(new URL(url)));
      try {
        return (await client.callTool({ name, arguments: args }, { timeout: 170_000 })) as CallToolResult;
      } finally {
        await client.close();
      }
    },
    stop: () => stopProcess(cli),
  };
}

export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * Waits until each replica says (its /healthz) it tracks every confirmation issued from now on: past the clock-skew
 * margin after Redis started or came back, as that replica dates it. Codes issued before are refused as untracked.
 */
export async function untilTracking(...replicas: Array<{ origin: string }>): Promise<void> {
  for (const replica of replicas)
    await until(
      async () => {
        const from = (await getJson(`${replica.origin}/healthz`)).body.confirmationsTrackedFrom;
        return typeof from === "string" && Date.parse(from) <= Date.now();
      },
      `${replica.origin} tracks the confirmations it is given`,
      1_000,
      50,
    );
}

/** A replica's client in one protocol era: the 2025 client (sdk 1.32, a session per call) or the v2 client pinned to 2026-07-28. */
export interface ReplicaEra {
  label: string;
  /** The protocol version the audit line must name. */
  era: string;
  call(replica: Replica, name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
}

export const REPLICA_ERAS: readonly ReplicaEra[] = [
  { label: "2025 client (sdk 1.32)", era: "2025-11-25", call: (r, name, args) => r.call(name, args) },
  {
    label: "2026 client (v2 pinned to 2026-07-28)",
    era: "2026-07-28",
    call: (r, name, args) => r.callModern(name, args),
  },
];

/** What a 2026-07-28 tools/call answers when its rounds are driven by hand: a result, or an input request. */
export type RawRound = Record<string, unknown> & {
  resultType?: string;
  requestState?: string;
  inputRequests?: Record<string, { method?: string; params?: { mode?: string; url?: string } }>;
  isError?: boolean;
  content?: Array<{ type: string; text?: string }>;
};
export const roundText = (r: RawRound) => (r.content ?? []).map((c) => c.text ?? "").join("\n");

/**
 * A 2026-07-28 client (v2, pinned) named `name` on `replica`, declaring `capabilities`; each tools/call is one round,
 * returned as the server answered it (an input request included). `clients` collects it for the test to close.
 */
export async function roundsOn(
  replica: Replica,
  name: string,
  capabilities: Record<string, unknown>,
  clients: ModernClient[],
  onprogress?: (p: { message?: string }) => void,
): Promise<(params: Record<string, unknown>) => Promise<RawRound>> {
  const client = new ModernClient(
    { name, version: "2.0.0" },
    { capabilities, versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  clients.push(client);
  await client.connect(new ModernTransport(new URL(replica.url)));
  return (params) =>
    client.request(
      { method: "tools/call", params } as never,
      { allowInputRequired: true, timeout: 120_000, ...(onprogress ? { onprogress } : {}) } as never,
    ) as Promise<RawRound>;
}

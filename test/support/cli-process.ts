// Spawns the built CLI against a sandbox served on 127.0.0.1 (real credentials path), with an MCP client on its stdio.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import {
  ElicitRequestSchema,
  type ClientCapabilities,
  type ElicitRequest,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js";
import {
  createSandbox,
  serveSandbox,
  type Sandbox,
  type SandboxOptions,
  type ServedSandbox,
} from "../../src/sandbox/index.js";
import { onTestFailed, TestRunner } from "vitest";
import { TEST_ENV } from "./test-env.js";
import { waitingInHook } from "./hook-waits.js";

/**
 * The shipped entry (what npm installs and hosts start): the one-file bundle through its code cache, which starts on about
 * half the CPU of the tsc output. test/http/http-cli.test.ts starts both builds.
 */
export const CLI = fileURLToPath(new URL("../../dist/bundle/src/cli/main.js", import.meta.url));
/** The tsc output (`npm start`), for a test that reads which of its modules Node loads. */
export const TSC_CLI = fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url));

export function assertBuilt(): void {
  // `npm test` builds first; a bare `vitest run` after a clean checkout needs the same.
  if (!existsSync(CLI)) throw new Error("dist/bundle is missing: run `npm run build` (npm test does it for you)");
}

/**
 * The test's environment minus anything that would configure the server behind the test's back (OpenTelemetry's
 * OTEL_* variables included: they turn telemetry on). It keeps
 * NODE_COMPILE_CACHE, which test/support/compile-cache-folder.ts points at a folder of the run.
 */
export const cleanEnv = (): Record<string, string> =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([k, v]) => v !== undefined && !k.startsWith("SAIL_") && !k.startsWith("ISC_MCP_") && !k.startsWith("OTEL_"),
    ),
  ) as Record<string, string>;

/** For a test that gives a child only a few variables: where the run keeps the bundle's code cache. */
export const testCompileCache = (): Record<string, string> =>
  process.env.NODE_COMPILE_CACHE ? { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } : {};

export interface ServedTenant {
  sandbox: Sandbox;
  served: ServedSandbox;
  /** SAIL_* variables pointing the CLI at this sandbox with its credentials. */
  env: Record<string, string>;
}

export async function serveTenant(options: SandboxOptions = {}): Promise<ServedTenant> {
  const sandbox = createSandbox({ rateLimit: false, identities: 60, ...options });
  const served = await serveSandbox(sandbox);
  // Pinned to v2025 like harness.ts: these tests match /v2025 paths; api-versions.test.ts covers the others.
  return {
    sandbox,
    served,
    env: {
      ...cleanEnv(),
      ...TEST_ENV,
      ISC_MCP_API_VERSION: "v2025",
      SAIL_BASE_URL: served.url,
      SAIL_CLIENT_ID: sandbox.clientId,
      SAIL_CLIENT_SECRET: sandbox.clientSecret,
    },
  };
}

export interface StdioCli {
  client: Client;
  transport: StdioClientTransport;
  /** Everything the CLI wrote to stderr so far. */
  stderr(): string;
  pid: number;
}

/** The MCP client on the CLI's stdio: what it says it is, what it declares, and how it answers elicitations. */
export interface StdioClientOptions {
  info?: { name: string; version: string };
  capabilities?: ClientCapabilities;
  onElicit?: (params: ElicitRequest["params"]) => ElicitResult | Promise<ElicitResult>;
}

/** Starts the CLI over stdio through the SDK's own transport (it spawns the process). */
export async function startStdioCli(
  args: string[],
  env: Record<string, string>,
  cwd?: string,
  options: StdioClientOptions = {},
): Promise<StdioCli> {
  assertBuilt();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, ...args],
    env,
    stderr: "pipe",
    ...(cwd ? { cwd } : {}),
  });
  let stderr = "";
  transport.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const client = new Client(options.info ?? { name: "reliability", version: "1.0.0" }, {
    capabilities: options.capabilities ?? {},
  });
  const { onElicit } = options;
  if (onElicit) client.setRequestHandler(ElicitRequestSchema, (req) => onElicit(req.params));
  await client.connect(transport);
  return { client, transport, stderr: () => stderr, pid: transport.pid ?? 0 };
}

export interface RawCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends one JSON-RPC message on stdin. */
  send(message: unknown): void;
  /** Resolves with the first JSON-RPC message on stdout with this id; rejects at once if the CLI ends without it. */
  response(id: number): Promise<Record<string, unknown>>;
  /** Resolves with the first value `find` gives, looked for on each output of the CLI; rejects at once, naming `what`, if it ends first. */
  awaitOutput<T>(what: string, find: () => T | undefined): Promise<T>;
}

/** Spawns the CLI with raw pipes, for tests that close stdin or send signals themselves. */
/** `entry`: the tsc output by default, or the shipped bundle's main.js. */
export function spawnCli(args: string[], env: Record<string, string>, cwd?: string, entry = CLI): RawCli {
  assertBuilt();
  const child = spawn(process.execPath, [entry, ...args], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
    ...(cwd ? { cwd } : {}),
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  // "close": the process ended and both streams were read to their end, so nothing more can come.
  let closed: string | undefined;
  child.once("close", (code, signal) => (closed = signal ? `killed by ${signal}` : `exit code ${code}`));
  // Whole lines only: a message still being written is not JSON yet.
  const messages = () =>
    out
      .slice(0, out.lastIndexOf("\n") + 1)
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const awaitOutput = <T>(what: string, find: () => T | undefined): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      // A live CLI that never prints it: no clock here; the test's own timeout ends the wait, and the failure names it.
      // In a hook there is no test to fail: the hook's own timeout ends it and vitest names only the hook, so the wait is
      // named when the file ends (hook-waits.ts).
      const inTest = TestRunner.getCurrentTest() !== undefined;
      const inHook = inTest ? undefined : waitingInHook(what, () => err);
      const stop = () => {
        child.stdout!.off("data", look);
        child.stderr!.off("data", look);
        child.off("close", look);
        inHook?.done();
      };
      // A listener's throw would be uncaught: a line that is not JSON fails this wait instead.
      function look(): void {
        let found: T | undefined;
        try {
          found = find();
        } catch (e) {
          stop();
          return reject(e as Error);
        }
        if (found !== undefined) {
          stop();
          resolve(found);
        } else if (closed !== undefined) {
          stop();
          reject(new Error(`${what}: the CLI ended (${closed}) without it; its stderr:\n${err}`));
        }
      }
      // Listened to after spawnCli's own listeners, so `out` and `err` already hold each chunk.
      child.stdout!.on("data", look);
      child.stderr!.on("data", look);
      child.on("close", look);
      look();
      if (inTest) {
        onTestFailed(() => {
          if (child.listeners("close").includes(look))
            console.error(`still waiting for ${what}; the CLI's stderr so far:\n${err}`);
        });
      }
    });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    send: (message) => child.stdin!.write(JSON.stringify(message) + "\n"),
    awaitOutput,
    response: (id) => awaitOutput(`the response with id ${id}`, () => messages().find((m) => m.id === id)),
  };
}

/** The JSON-RPC handshake a host sends first, at `protocolVersion` (2025-06-18 unless a test names another). */
export function initialize(cli: RawCli, protocolVersion = "2025-06-18"): void {
  cli.send({
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  });
  cli.send({ jsonrpc: "2.0", method: "notifications/initialized" });
}

/**
 * Waits for an `--http --port 0` CLI's start-up line on stderr and returns the URL it serves MCP on; rejects at once,
 * with its stderr, if it ends first.
 */
export function waitForMcpUrl(cli: RawCli): Promise<string> {
  return cli.awaitOutput(
    "the start-up line naming the MCP URL",
    () => /serving MCP on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(cli.stderr())?.[1],
  );
}

/**
 * The time a test that starts the built CLI `n` times may take: each start is bounded work (Node, the bundle, a sandbox)
 * that took up to 15 s on a 2-core machine at load 20. For bounded work only, never for a test that waits on a clock.
 */
export const cliStarts = (n: number): { timeout: number } => ({ timeout: Math.max(20_000, n * 15_000) });

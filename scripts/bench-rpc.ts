// A bare JSON-RPC client over a child's stdio for the cold-start, memory and waiting benches, in either protocol era: no SDK client validation, so only the server is measured.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";

export interface RpcChild {
  readonly pid: number | undefined;
  request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Ends stdin (the server's cue to shut down) and waits for the child; after a few seconds it is killed. */
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 3_000;

/** The protocol eras a raw client can speak: 2025 opens a session with initialize; 2026-07-28 has none. */
export type RpcEra = "2025-11-25" | "2026-07-28";

/** RSS (MB) of one server over `get_identity` calls from a raw client of one era: the memory phase's figures (issue #25 §8). */
export interface MemoryFigures {
  era: RpcEra;
  rssAfterStart: number;
  rssAfterWarmup: number;
  warmupCalls: number;
  rssAfterCalls: number;
  calls: number;
  growth: number;
  growthAfterWarmup: number;
  target: string;
  met: boolean;
}

export interface RpcOptions {
  /**
   * The era the client speaks, as that era's SDK client does: 2025-11-25 initializes (the version sdk 1.x sends);
   * 2026-07-28 probes with server/discover, then every request carries the `_meta` envelope (protocol version, client
   * info and capabilities) the v2 client pinned to it sends. @default "2025-11-25"
   */
  era?: RpcEra;
  /** What the client declares (at initialize, or in each 2026 request's envelope). @default none */
  capabilities?: Record<string, unknown>;
  /** Answers a request the server sends (e.g. elicitation/create); without it they go unanswered. */
  onRequest?: (method: string, params: Record<string, unknown>) => Record<string, unknown>;
}

export async function spawnRpc(
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
  options: RpcOptions = {},
): Promise<RpcChild> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [entry, ...args], {
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  // Kept only to say why, should the child die before it answers (a bench that waited on it would hang instead).
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  // A write after the child died fails with EPIPE; the child's end is reported below, with its own words.
  child.stdin.on("error", () => {});
  const pending = new Map<
    number,
    { resolve: (message: Record<string, unknown>) => void; reject: (err: Error) => void }
  >();
  createInterface({ input: child.stdout }).on("line", (line) => {
    const message = JSON.parse(line) as { id?: number; method?: string; params?: Record<string, unknown> } & Record<
      string,
      unknown
    >;
    if (message.method !== undefined) {
      if (message.id !== undefined && options.onRequest) {
        child.stdin.write(
          `${JSON.stringify({ jsonrpc: "2.0", id: message.id, result: options.onRequest(message.method, message.params ?? {}) })}\n`,
        );
      }
      return;
    }
    if (typeof message.id === "number") pending.get(message.id)?.resolve(message);
    pending.delete(message.id as number);
  });
  // "close", not "exit": by then stdout and stderr are read to the end, so no answer already written is lost.
  let ended: Error | undefined;
  const closed = new Promise<void>((resolve) =>
    child.once("close", (code, signal) => {
      ended = new Error(`${entry} exited (${signal ?? code}) before answering: ${stderr}`);
      for (const { reject } of pending.values()) reject(ended);
      pending.clear();
      resolve();
    }),
  );
  const clientInfo = { name: "bench-rpc", version: "1" };
  const capabilities = options.capabilities ?? {};
  // 2026-07-28: what the v2 client puts in every request's `_meta` (there is no session to remember it).
  const envelope =
    options.era === "2026-07-28"
      ? {
          "io.modelcontextprotocol/protocolVersion": options.era,
          "io.modelcontextprotocol/clientInfo": clientInfo,
          "io.modelcontextprotocol/clientCapabilities": capabilities,
        }
      : undefined;
  let nextId = 0;
  const request = (method: string, params: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      if (ended) return reject(ended);
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      const sent = envelope
        ? { ...params, _meta: { ...(params._meta as Record<string, unknown> | undefined), ...envelope } }
        : params;
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params: sent })}\n`);
    });
  if (envelope) {
    // The v2 client's opening probe (no initialize, no initialized notification in this era).
    const discovered = await request("server/discover", {});
    if (!discovered.result) throw new Error(`server/discover failed: ${JSON.stringify(discovered).slice(0, 300)}`);
  } else {
    // The protocol version the SDK's own client sends.
    await request("initialize", { protocolVersion: "2025-11-25", capabilities, clientInfo });
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
  }
  return {
    pid: child.pid,
    request,
    close: async () => {
      child.stdin.end();
      const kill = setTimeout(() => child.kill("SIGKILL"), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(kill);
    },
  };
}

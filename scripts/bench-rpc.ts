// A bare JSON-RPC client over a child's stdio for the per-call and cold-start benches: no SDK client validation, so only the server is timed.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";

export interface RpcChild {
  readonly pid: number | undefined;
  request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function spawnRpc(entry: string, env: Record<string, string>, args: string[] = []): Promise<RpcChild> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [entry, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  // Kept only to say why, should the child die before it answers (a bench that waited on it would hang instead).
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  // A write after the child died fails with EPIPE; the exit below reports that death with the child's own words.
  child.stdin.on("error", () => {});
  const pending = new Map<number, { resolve: (message: Record<string, unknown>) => void; reject: (err: Error) => void }>();
  createInterface({ input: child.stdout }).on("line", (line) => {
    const message = JSON.parse(line) as { id?: number } & Record<string, unknown>;
    if (typeof message.id === "number") pending.get(message.id)?.resolve(message);
    pending.delete(message.id as number);
  });
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      for (const { reject } of pending.values()) reject(new Error(`${entry} exited (${signal ?? code}) before answering: ${stderr}`));
      pending.clear();
      resolve();
    }),
  );
  let nextId = 0;
  const request = (method: string, params: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    });
  await request("initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "bench-rpc", version: "1" } });
  child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
  return {
    pid: child.pid,
    request,
    close: () => {
      child.stdin.end();
      return exited;
    },
  };
}

// The bench's cold-start phase: spawn → `tools/list` answered over stdio, for the server and its peers, interleaved.
import { spawn } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { median, round } from "./bench-stats.js";

/** One contender: a script run with `node <entry> [args]` in `env`. */
export interface ColdEntry {
  entry: string;
  args?: string[];
  env: Record<string, string>;
}

async function coldStart({ entry, args = [], env }: ColdEntry): Promise<number> {
  const started = performance.now();
  const transport = new StdioClientTransport({ command: process.execPath, args: [entry, ...args], env, stderr: "inherit" });
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(transport);
  await client.listTools();
  const ms = performance.now() - started;
  await client.close();
  return ms;
}

function bareNode(env: Record<string, string>): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore", env });
    child.on("error", reject);
    child.on("exit", () => resolve(performance.now() - started));
  });
}

/** Medians (ms) of `runs` starts of each contender plus bare `node -e ""`, one round of all at a time. */
export async function measureColdStarts<K extends string>(runs: number, entries: Record<K, ColdEntry>, nodeEnv: Record<string, string>): Promise<Record<K | "node", number>> {
  const keys = Object.keys(entries) as K[];
  const samples = new Map<K | "node", number[]>([["node", []], ...keys.map((k): [K, number[]] => [k, []])]);
  // Interleaved, so a noisy moment on a shared machine hits every contender alike.
  for (let i = 0; i < runs; i++) {
    samples.get("node")!.push(await bareNode(nodeEnv));
    for (const key of keys) samples.get(key)!.push(await coldStart(entries[key]));
  }
  return Object.fromEntries([...samples].map(([k, xs]) => [k, round(median(xs), 1)])) as Record<K | "node", number>;
}

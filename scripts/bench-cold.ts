// The bench's cold-start phase: spawn → `tools/list` answered over stdio, for the server and its peers, interleaved.
import { spawn } from "node:child_process";
import { spawnRpc } from "./bench-rpc.js";
import { median, round } from "./bench-stats.js";

/** One contender: a script run with `node <entry> [args]` in `env`. */
export interface ColdEntry {
  entry: string;
  args?: string[];
  env: Record<string, string>;
}

/**
 * Spawn to the moment the `tools/list` answer's line arrives, talking bare JSON-RPC as the per-call phase does. The
 * SDK's client, once the answer is in, compiles a validator for every output schema in it: work of the host's, which
 * grows with the contender's tool count (this server's twelve tools cost it about 10 ms here, the one-tool peers 2-3 ms).
 */
async function coldStart({ entry, args = [], env }: ColdEntry): Promise<number> {
  const started = performance.now();
  const rpc = await spawnRpc(entry, env, args);
  try {
    const listed = (await rpc.request("tools/list", {})) as { result?: { tools?: unknown[] } };
    const ms = performance.now() - started;
    if (!listed.result?.tools?.length)
      throw new Error(`${entry} answered tools/list without tools: ${JSON.stringify(listed).slice(0, 300)}`);
    return ms;
  } finally {
    // Ending stdin lets the server shut down as under a host, so the first start writes its code cache as there.
    await rpc.close();
  }
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
export async function measureColdStarts<K extends string>(
  runs: number,
  entries: Record<K, ColdEntry>,
  nodeEnv: Record<string, string>,
): Promise<Record<K | "node", number>> {
  const keys = Object.keys(entries) as K[];
  const samples = new Map<K | "node", number[]>([["node", []], ...keys.map((k): [K, number[]] => [k, []])]);
  // Interleaved, so a noisy moment on a shared machine hits every contender alike.
  for (let i = 0; i < runs; i++) {
    samples.get("node")!.push(await bareNode(nodeEnv));
    for (const key of keys) samples.get(key)!.push(await coldStart(entries[key]));
  }
  return Object.fromEntries([...samples].map(([k, xs]) => [k, round(median(xs), 1)])) as Record<K | "node", number>;
}

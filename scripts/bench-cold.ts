// The bench's cold-start phase: spawn → `tools/list` answered over stdio, for the server and its peers, interleaved.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { spawnRpc } from "./bench-rpc.js";
import { median, round } from "./bench-stats.js";

/** One contender: a script run with `node <entry> [args]` in `env`. */
export interface ColdEntry {
  entry: string;
  args?: string[];
  env: Record<string, string>;
}

/**
 * CPU time (ms) a process has run so far, all its threads (V8's compiler and collector helpers too), from Linux's
 * scheduler statistics: read from outside, so the process runs nothing extra for it. Undefined where there are none.
 */
function cpuMsSoFar(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    return ns / 1e6;
  } catch {
    return undefined;
  }
}

/**
 * Spawn to the moment the `tools/list` answer's line arrives, talking bare JSON-RPC as the per-call phase does. The
 * SDK's client, once the answer is in, compiles a validator for every output schema in it: work of the host's, which
 * grows with the contender's tool count (this server's twelve tools cost it about 10 ms here, the one-tool peers 2-3 ms).
 * Also the CPU time the process spent by then: on a shared machine the wall clock mostly measures waiting for a core.
 */
async function coldStart({ entry, args = [], env }: ColdEntry): Promise<{ ms: number; cpuMs: number | undefined }> {
  const started = performance.now();
  const rpc = await spawnRpc(entry, env, args);
  try {
    const listed = (await rpc.request("tools/list", {})) as { result?: { tools?: unknown[] } };
    const ms = performance.now() - started;
    const cpuMs = cpuMsSoFar(rpc.pid);
    if (!listed.result?.tools?.length)
      throw new Error(`${entry} answered tools/list without tools: ${JSON.stringify(listed).slice(0, 300)}`);
    return { ms, cpuMs };
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

export interface ColdStarts<K extends string> {
  /** Median wall clock (ms), spawn to the `tools/list` answer; `node` is bare `node -e ""` to its exit. */
  ms: Record<K | "node", number>;
  /** Median CPU time (ms) by the `tools/list` answer (Linux; empty elsewhere). */
  cpuMs: Partial<Record<K, number>>;
}

/** Medians of `runs` starts of each contender plus bare `node -e ""`, one round of all at a time. */
export async function measureColdStarts<K extends string>(
  runs: number,
  entries: Record<K, ColdEntry>,
  nodeEnv: Record<string, string>,
): Promise<ColdStarts<K>> {
  const keys = Object.keys(entries) as K[];
  const samples = new Map<K | "node", number[]>([["node", []], ...keys.map((k): [K, number[]] => [k, []])]);
  const cpu = new Map<K, number[]>(keys.map((k) => [k, []]));
  // Interleaved, so a noisy moment on a shared machine hits every contender alike.
  for (let i = 0; i < runs; i++) {
    samples.get("node")!.push(await bareNode(nodeEnv));
    for (const key of keys) {
      const { ms, cpuMs } = await coldStart(entries[key]);
      samples.get(key)!.push(ms);
      if (cpuMs !== undefined) cpu.get(key)!.push(cpuMs);
    }
  }
  return {
    ms: Object.fromEntries([...samples].map(([k, xs]) => [k, round(median(xs), 1)])) as Record<K | "node", number>,
    cpuMs: Object.fromEntries(
      [...cpu].filter(([, xs]) => xs.length === runs).map(([k, xs]) => [k, round(median(xs), 1)]),
    ) as Partial<Record<K, number>>,
  };
}

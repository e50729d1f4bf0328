// The bench's replica section: tool calls per second through three --stateless replicas against one, and what Redis adds to one guarded call.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { createSandbox, pickFixtures, serveSandbox } from "../src/sandbox/index.js";
import { median, round } from "./bench-stats.js";

export interface ReplicaBench {
  /** Why the section did not run (no redis-server on this machine), when it did not. */
  skipped?: string;
  callsPerSecond?: { oneReplica: number; threeReplicas: number; ratio: number; concurrency: number; seconds: number };
  guardedCallMs?: { memory: number; redis: number; addedByRedis: number; calls: number };
}

const KEY = "bench-confirm-key-0123456789abcdef0123";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  return exited;
}

/** A replica of the built CLI; resolves with its /mcp URL. */
async function replica(
  entry: string,
  env: Record<string, string>,
  args: string[],
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [entry, "--http", "--port", "0", "--stateless", ...args], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  let url = "";
  await until(
    () => Boolean((url = /serving MCP on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(err)?.[1] ?? "")),
    "a replica",
  ).catch((e: Error) => {
    throw new Error(`${e.message}: ${err.trim()}`);
  });
  return { url, child };
}

let rpcId = 0;
/** One tools/call as a stateless client sends it: a plain POST, no session. */
async function callTool(url: string, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method: "tools/call", params: { name, arguments: args } }),
  });
  const text = await res.text();
  const data = text.startsWith("{") ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? "{}");
  const message = JSON.parse(data) as { result?: Record<string, unknown> };
  if (!message.result || message.result.isError) throw new Error(`bench: ${name} failed: ${text.slice(0, 300)}`);
  return message.result;
}

/** Calls per second with `concurrency` callers for `seconds`, spread round-robin over `urls`. */
async function throughput(urls: string[], identityId: string, concurrency: number, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await callTool(urls[next++ % urls.length]!, "get_identity", { identityId });
        done++;
      }
    }),
  );
  return done / seconds;
}

/** Median ms of one confirmed guarded call: reset_identity with its confirmation code (the code was issued by another call). */
async function guardedCall(url: string, ids: string[]): Promise<number> {
  const times: number[] = [];
  for (const identityId of ids) {
    const first = await callTool(url, "reset_identity", { identityId });
    const code = (first.structuredContent as { confirmationCode?: string }).confirmationCode;
    const t = performance.now();
    await callTool(url, "reset_identity", { identityId, confirmationCode: code });
    times.push(performance.now() - t);
  }
  return median(times);
}

export async function benchReplicas(
  entry: string,
  baseEnv: Record<string, string>,
  quick: boolean,
): Promise<ReplicaBench> {
  const bin = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).stdout.trim();
  if (!bin) return { skipped: "redis-server is not installed" };
  const port = await freePort();
  const redis = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  const redisUrl = `redis://127.0.0.1:${port}`;
  const sandbox = createSandbox({ rateLimit: false, identities: 600 });
  const served = await serveSandbox(sandbox);
  const env = {
    ...baseEnv,
    SAIL_BASE_URL: served.url,
    SAIL_CLIENT_ID: sandbox.clientId,
    SAIL_CLIENT_SECRET: sandbox.clientSecret,
    ISC_MCP_CONFIRM_KEY: KEY,
    ISC_MCP_LOG_LEVEL: "info",
  };
  const children: ChildProcess[] = [];
  try {
    await until(
      () => spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout.trim() === "PONG",
      "redis-server",
    );
    // Limiter off: the section measures the server and Redis, not ISC's budget.
    const shared = ["--redis-url", redisUrl, "--rate-limit", "0", "--confirm", "auto"];
    const three = await Promise.all([1, 2, 3].map(() => replica(entry, env, shared)));
    children.push(...three.map((r) => r.child));
    const { plain } = pickFixtures(sandbox.state);
    const seconds = quick ? 1.5 : 6;
    const concurrency = 24;
    await throughput([three[0]!.url], plain, concurrency, quick ? 0.5 : 2); // warm-up
    await throughput(
      three.map((r) => r.url),
      plain,
      concurrency,
      quick ? 0.5 : 2,
    );
    const one = await throughput([three[0]!.url], plain, concurrency, seconds);
    const all = await throughput(
      three.map((r) => r.url),
      plain,
      concurrency,
      seconds,
    );

    const memory = await replica(entry, env, ["--single-replica", "--rate-limit", "0", "--confirm", "auto"]);
    children.push(memory.child);
    const calls = quick ? 10 : 60;
    // A code issued within the clock-skew margin of Redis's start is refused as untracked (store-redis.ts): in quick
    // mode the throughput runs above end about that long after Redis started, so issue the codes once the replica says
    // (its /healthz) it tracks them.
    await until(
      async () => {
        const health = (await (await fetch(new URL("/healthz", three[0]!.url))).json()) as Record<string, unknown>;
        const from = health.confirmationsTrackedFrom;
        return typeof from === "string" && Date.parse(from) <= Date.now();
      },
      "the replica to track confirmations (past the clock-skew margin of Redis's start)",
      30_000,
    );
    const ids = [...sandbox.state.identities.keys()];
    // Warm both, then measure each on identities of its own.
    await guardedCall(memory.url, ids.slice(0, 5));
    await guardedCall(three[0]!.url, ids.slice(5, 10));
    const mem = await guardedCall(memory.url, ids.slice(10, 10 + calls));
    const red = await guardedCall(three[0]!.url, ids.slice(10 + calls, 10 + 2 * calls));
    return {
      callsPerSecond: {
        oneReplica: round(one, 0),
        threeReplicas: round(all, 0),
        ratio: round(all / one, 2),
        concurrency,
        seconds,
      },
      guardedCallMs: { memory: round(mem, 2), redis: round(red, 2), addedByRedis: round(red - mem, 2), calls },
    };
  } finally {
    await Promise.all(children.map(stop));
    await served.close();
    await stop(redis);
  }
}

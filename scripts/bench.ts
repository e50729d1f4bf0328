// `npm run bench`: cold start, per-call overhead in each era, bulk paging, memory, token counts, replicas on Redis and waiting confirmations; each figure against its target.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { createSandbox, pickFixtures, serveSandbox, type Sandbox } from "../src/sandbox/index.js";
import { measureTokens } from "./measure-tokens.js";
import { spawnRpc, type MemoryFigures, type RpcEra } from "./bench-rpc.js";
import { round } from "./bench-stats.js";
import { measureColdStarts } from "./bench-cold.js";
import { benchReplicas } from "./bench-replicas.js";
import { benchSandbox } from "./bench-sandbox.js";
import { benchPending, type PendingBench } from "./bench-pending.js";
import { benchEra, type EraCalls } from "./bench-eras.js";
import { benchTricks, type TricksBench } from "./bench-tricks.js";

const quick = process.argv.includes("--quick");
/** `--only <phase>`: run that phase alone and put its figures into the existing results file. */
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
const PHASES = ["cold", "calls", "memory", "tokens", "pending", "tricks"];
const N = quick
  ? { cold: 3, warmup: 20, calls: 50, memCalls: 300, bulkIdentities: 2_000 }
  : { cold: 20, warmup: 500, calls: 1_000, memCalls: 10_000, bulkIdentities: 10_000 };

const root = new URL("../../", import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { bin: Record<string, string> };
const serverEntry = fileURLToPath(new URL(Object.values(pkg.bin)[0]!, root));
// The peers, bundled by scripts/bundle.ts: a minimal one-tool McpServer as anyone would build it, and the SDK's own floor.
const minimalEntry = fileURLToPath(new URL("../bench-peers/bench-minimal-server.js", import.meta.url));
const floorEntry = fileURLToPath(new URL("../bench-peers/bench-sdk-floor.cjs", import.meta.url));
// The per-call floor: the SDK's Server with one tool that makes the same GET with plain fetch, nothing else.
const callFloorEntry = fileURLToPath(new URL("../bench-peers/bench-call-floor.js", import.meta.url));
// The unbundled tsc output, to show what shipping the single-file bundle (the bin above) buys.
const tscEntry = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));

// Only PATH is inherited: machine-specific variables (this VM sets NODE_EXTRA_CA_CERTS, which adds ~100 ms to
// every Node start) would measure the machine, not the server. Bare node gets the same environment.
// The server's code cache (src/cli/boot/compile-cache.ts) goes in a folder of this run's own: the first start writes it, as a
// host's first launch after an install does, and the others use it. `firstStart` is every start without one.
const cacheDir = mkdtempSync(join(tmpdir(), "isc-bench-cache-"));
const BASE_ENV = { PATH: process.env.PATH ?? "", NODE_COMPILE_CACHE: cacheDir };

function serverEnv(url: string, sandbox: Sandbox, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...BASE_ENV,
    SAIL_BASE_URL: url,
    SAIL_CLIENT_ID: sandbox.clientId,
    SAIL_CLIENT_SECRET: sandbox.clientSecret,
    ISC_MCP_LOG_LEVEL: "warn",
    ...extra,
  };
}

/** `capabilities`: what the client declares (with elicitation, --confirm strict lists every tool). */
async function connect(
  entry: string,
  env: Record<string, string>,
  capabilities: Record<string, unknown> = {},
): Promise<{ client: Client; transport: StdioClientTransport }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [entry], env, stderr: "inherit" });
  const client = new Client({ name: "bench", version: "1.0.0" }, { capabilities });
  await client.connect(transport);
  return { client, transport };
}

function rssMb(pid: number | null): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return round(kb / 1024, 1);
}

const machine = () => ({
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGb: round(totalmem() / 2 ** 30, 1),
  node: process.version,
});
/** The machine and how busy it was (1, 5 and 15-minute load averages): on a shared machine every figure depends on it. */
const machineNow = () => ({ ...machine(), loadAverage: loadavg().map((x) => round(x, 1)) });

/** Cold start: the server's targets are against the SDK itself (issue #25 §8). */
const COLD_FLOOR_RATIO = 1.15;
/** RSS growth over 10,000 `get_identity` calls after the warm-up. */
const MEMORY_GROWTH_MB = 30;
/** 10,000 calls waiting on pages nobody answers (issue #24 §3). */
const PENDING_GROWTH_MB = 150;
const PENDING_READ_RATIO = 3;

const yes = (met: boolean) => (met ? "met" : "NOT MET");

type Results = Record<string, unknown>;

function resultsFile(): URL {
  const outDir = new URL("bench/", root);
  mkdirSync(outDir, { recursive: true });
  return new URL(quick ? "quick.json" : "latest.json", outDir);
}

/** Every phase needs a tenant: the sandbox, without a rate limit (so the server has none either: our own overhead). */
async function withTenant<T>(
  run: (t: { url: string; sandbox: Sandbox; env: Record<string, string>; bearer: string; plain: string }) => Promise<T>,
): Promise<T> {
  const sandbox = createSandbox({ rateLimit: false });
  const served = await serveSandbox(sandbox);
  try {
    const env = serverEnv(served.url, sandbox, { ISC_MCP_RATE_LIMIT: "0" });
    const tokenRes = await fetch(`${served.url}/oauth/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: sandbox.clientId,
        client_secret: sandbox.clientSecret,
      }),
    });
    const bearer = ((await tokenRes.json()) as { access_token: string }).access_token;
    return await run({ url: served.url, sandbox, env, bearer, plain: pickFixtures(sandbox.state).plain });
  } finally {
    await served.close();
  }
}

async function coldPhase(): Promise<Results> {
  return withTenant(async ({ env }) => {
    const { ms: cold, cpuMs } = await measureColdStarts(
      N.cold,
      {
        floor: { entry: floorEntry, env },
        minimal: { entry: minimalEntry, env },
        server: { entry: serverEntry, env },
        sandbox: { entry: serverEntry, args: ["--sandbox"], env: { ...BASE_ENV, ISC_MCP_LOG_LEVEL: "warn" } },
        firstStart: { entry: serverEntry, env: { ...env, NODE_DISABLE_COMPILE_CACHE: "1" } },
        tscOutput: { entry: tscEntry, env },
      },
      BASE_ENV,
    );
    const ratioToFloor = round(cold.server / cold.floor, 2);
    return {
      ...cold,
      runs: N.cold,
      ratioToFloor,
      sandboxRatioToFloor: round(cold.sandbox / cold.floor, 2),
      firstStartRatioToFloor: round(cold.firstStart / cold.floor, 2),
      minimalRatioToFloor: round(cold.minimal / cold.floor, 2),
      ratioToNode: round(cold.server / cold.node, 2),
      // CPU time by the answer: what the server itself costs, steadier than the wall clock when the machine is busy.
      cpuMs,
      ...(cpuMs.server && cpuMs.floor ? { cpuRatioToFloor: round(cpuMs.server / cpuMs.floor, 2) } : {}),
      target: `tenant configured <= ${COLD_FLOOR_RATIO}x the SDK floor, and faster than the minimal McpServer`,
      met: { floor: ratioToFloor <= COLD_FLOOR_RATIO, minimal: cold.server < cold.minimal },
    };
  });
}

async function callsPhase(): Promise<Results> {
  return withTenant(async ({ url, env, bearer, plain }) => {
    // The same request the server makes on its default API version (v1: no experimental header on a read).
    const direct = async () =>
      (await fetch(`${url}/identities/v1/${plain}`, { headers: { authorization: `Bearer ${bearer}` } })).json();
    const opts = {
      server: { entry: serverEntry, env },
      floor: { entry: callFloorEntry, env },
      identityId: plain,
      direct,
      warmup: N.warmup,
      calls: N.calls,
    };
    const eras: Record<string, EraCalls> = {};
    for (const era of ["2025-11-25", "2026-07-28"] as const) eras[era] = await benchEra(era, opts);
    return eras;
  });
}

/** The memory phase: the 2025 figures at the top (the shape the results file has always had), each later era under its own key. */
type MemoryResults = MemoryFigures & { "2026-07-28"?: MemoryFigures };

async function memoryOf(era: RpcEra, env: Record<string, string>, plain: string): Promise<MemoryFigures> {
  // Raw JSON-RPC, each request as that era's SDK client sends it: the client's own work (result validation, its
  // envelope) happens in this process, not in the server's memory.
  const rpc = await spawnRpc(serverEntry, env, [], { era });
  try {
    const rssStart = rssMb(rpc.pid ?? null);
    const callGet = async () => {
      const r = (await rpc.request("tools/call", { name: "get_identity", arguments: { identityId: plain } })) as {
        result?: { isError?: boolean };
      };
      if (!r.result || r.result.isError) throw new Error(`get_identity failed during the ${era} memory bench`);
    };
    // A long-running server is measured warm: by then the JIT and V8's heap sizing have settled; growth from here on
    // would be a leak or unbounded caching.
    for (let i = 0; i < N.warmup; i++) await callGet();
    const rssWarm = rssMb(rpc.pid ?? null);
    for (let i = 0; i < N.memCalls; i++) await callGet();
    const rssAfter = rssMb(rpc.pid ?? null);
    const growthAfterWarmup = round(rssAfter - rssWarm, 1);
    return {
      era,
      rssAfterStart: rssStart,
      rssAfterWarmup: rssWarm,
      warmupCalls: N.warmup,
      rssAfterCalls: rssAfter,
      calls: N.memCalls,
      growth: round(rssAfter - rssStart, 1),
      growthAfterWarmup,
      target: `<= ${MEMORY_GROWTH_MB} MB growth over ${N.memCalls} calls after warm-up`,
      met: growthAfterWarmup <= MEMORY_GROWTH_MB,
    };
  } finally {
    await rpc.close();
  }
}

/** Each era against a server of its own, one after the other (not at once: each RSS is one server's alone). */
async function memoryPhase(): Promise<Results> {
  return withTenant(async ({ env, plain }) => {
    const legacy = await memoryOf("2025-11-25", env, plain);
    const modern = await memoryOf("2026-07-28", env, plain);
    return { ...legacy, "2026-07-28": modern } satisfies MemoryResults;
  });
}

async function pendingPhase(): Promise<Results> {
  const p = await benchPending(serverEntry, BASE_ENV, quick);
  return {
    ...p,
    met: {
      memory: p.rssMb.growth <= PENDING_GROWTH_MB * (p.waiting / 10_000),
      read: p.readMs.ratio <= PENDING_READ_RATIO,
    },
  };
}

/** What a model pays for every tool: a client that can confirm (form and URL elicitation) is offered all of them. */
async function tokensPhase(): Promise<Results> {
  return withTenant(async ({ env }) => {
    const { client } = await connect(serverEntry, env, { elicitation: { form: {}, url: {} } });
    try {
      return { ...(await measureTokens(client)) };
    } finally {
      await client.close();
    }
  });
}

async function tricksPhase(): Promise<Results> {
  return withTenant(async ({ env }) => ({ ...(await benchTricks(serverEntry, env, BASE_ENV, quick ? 2 : 15)) }));
}

/** The figures of each phase, one line each, with its target and whether it is met. */
function rows(r: Results): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const c = r.coldStartMs as
    | (Record<string, number> & { met: { floor: boolean; minimal: boolean }; cpuMs?: Record<string, number> })
    | undefined;
  if (c) {
    const cpu = c.cpuMs?.server
      ? ` | CPU by the answer: server ${c.cpuMs.server} = ${c.cpuRatioToFloor}x the floor's ${c.cpuMs.floor}, minimal ${c.cpuMs.minimal}`
      : "";
    out.push([
      "cold start (median, ms)",
      `server ${c.server} = ${c.ratioToFloor}x the SDK floor ${c.floor} (target <= ${COLD_FLOOR_RATIO}x: ${yes(c.met.floor)}) | minimal McpServer ${c.minimal} (server faster: ${yes(c.met.minimal)}) | --sandbox ${c.sandbox} | without code cache ${c.firstStart} | tsc output ${c.tscOutput} | bare node ${c.node}${cpu}`,
    ]);
  }
  const calls = r.perCallMs as Record<string, EraCalls> | undefined;
  for (const e of Object.values(calls ?? {})) {
    out.push([
      `per call, ${e.era} (ms)`,
      `server ${e.serverMedian} vs SDK floor ${e.floorMedian}: +${e.aboveFloor} (target <= +0.25: ${yes(e.met)}) | over a direct GET ${e.overheadMedian} (floor ${e.floorOverheadMedian}), p99 ${e.overheadP99} | ${e.calls} calls, ${e.client}`,
    ]);
  }
  const mem = r.memoryMb as MemoryResults | undefined;
  for (const m of mem ? [mem, mem["2026-07-28"]] : []) {
    if (!m) continue;
    out.push([
      `memory, ${m.era} (RSS MB)`,
      `+${m.growthAfterWarmup} over ${m.calls} calls after ${m.warmupCalls} warm-up (target <= ${MEMORY_GROWTH_MB}: ${yes(m.met)}) | start ${m.rssAfterStart}, warm ${m.rssAfterWarmup}, after ${m.rssAfterCalls}`,
    ]);
  }
  const bulk = r.bulk as Record<string, number> | undefined;
  if (bulk)
    out.push([
      "bulk list",
      `${bulk.read} identities in ${bulk.calls} calls: ${bulk.upstreamRequests} requests (expected ${bulk.expectedRequests}), ${bulk.tokenRequests} token, ${bulk.rateLimited429} x 429, ${bulk.wallMs} ms`,
    ]);
  const sb = r.sandbox as Record<string, number> | undefined;
  if (sb)
    out.push([
      "sandbox tenant",
      `${sb.identities} identities seeded in ${sb.seedMs} ms | GET through the handler ${sb.getMedianMs} ms median (${sb.gets})`,
    ]);
  const rep = r.replicas as Awaited<ReturnType<typeof benchReplicas>> | undefined;
  if (rep) {
    out.push([
      "replicas (HTTP, Redis)",
      rep.skipped
        ? `skipped: ${rep.skipped}`
        : `${rep.callsPerSecond!.threeReplicas} calls/s through 3 replicas vs ${rep.callsPerSecond!.oneReplica} through 1 (${rep.callsPerSecond!.ratio}x, ${rep.callsPerSecond!.concurrency} callers, limiter off) | guarded call ${rep.guardedCallMs!.redis} ms on Redis vs ${rep.guardedCallMs!.memory} ms in memory (+${rep.guardedCallMs!.addedByRedis})`,
    ]);
  }
  const p = r.pendingConfirmations as (PendingBench & { met: { memory: boolean; read: boolean } }) | undefined;
  if (p) {
    out.push([
      "waiting confirmations",
      `${p.waiting} calls waiting on pages nobody answers: RSS +${p.rssMb.growth} MB (${p.rssMb.before} -> ${p.rssMb.waiting}, ${p.rssMb.perCallKb} KB a call; target <= ${PENDING_GROWTH_MB} MB for 10000: ${yes(p.met.memory)}) | a read ${p.readMs.waitingMedian} ms median meanwhile vs ${p.readMs.idleMedian} idle (${p.readMs.ratio}x; target <= ${PENDING_READ_RATIO}x: ${yes(p.met.read)}) | server CPU while they wait ${p.cpuMsPerSecondWaiting} ms/s | opened in ${p.rampSeconds} s`,
    ]);
  }
  const t = r.startupTricks as TricksBench | undefined;
  for (const x of t?.tricks ?? []) {
    const rss = x.rssMb
      ? ` | RSS after ${x.rssMb.calls} calls ${x.rssMb.with} MB with, ${x.rssMb.without} without`
      : "";
    out.push([
      `  trick: ${x.name}`,
      `start ${x.withMs} ms with, ${x.withoutMs} without (${x.savedMs >= 0 ? "saves" : "costs"} ${Math.abs(x.savedMs)} ms) | CPU to tools/list ${x.cpuMs.with} ms with, ${x.cpuMs.without} without (${x.cpuMs.saved >= 0 ? "saves" : "costs"} ${Math.abs(x.cpuMs.saved)} ms)${rss}`,
    ]);
  }
  const tokens = r.tokens as Awaited<ReturnType<typeof measureTokens>> | undefined;
  if (tokens) {
    out.push([
      "tokens",
      `tools/list ${tokens.toolsList} | instructions ${tokens.instructions} | 50 identities: raw ${tokens.list50.raw}, summary ${tokens.list50.structured} (${round(tokens.list50.structuredRatio * 100, 1)}%), text ${tokens.list50.text} (${round(tokens.list50.textRatio * 100, 1)}%)`,
    ]);
    out.push(...Object.entries(tokens.perTool).map(([name, n]): [string, string] => [`  ${name}`, `${n} tokens`]));
  }
  return out;
}

function print(r: Results, label: string): void {
  const lines = rows(r);
  const width = Math.max(...lines.map(([k]) => k.length));
  const m = machine();
  process.stdout.write(
    `isc-identities-mcp bench${quick ? " (quick)" : ""}${label} on ${m.cpu}, ${m.cores} cores, node ${process.version}, load average ${loadavg()
      .map((x) => round(x, 1))
      .join(" ")}\n`,
  );
  for (const [k, v] of lines) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}

const RESULT_KEY: Record<string, string> = {
  cold: "coldStartMs",
  calls: "perCallMs",
  memory: "memoryMb",
  tokens: "tokens",
  pending: "pendingConfirmations",
  tricks: "startupTricks",
};
const PHASE_RUN: Record<string, () => Promise<Results>> = {
  cold: coldPhase,
  calls: callsPhase,
  memory: memoryPhase,
  tokens: tokensPhase,
  pending: pendingPhase,
  tricks: tricksPhase,
};

/** One phase alone (`--only <phase>`): its rows, and its figures (with date, machine and load) merged into the results file of this mode. */
async function onlyPhase(phase: string): Promise<void> {
  if (!PHASES.includes(phase)) throw new Error(`--only takes one of: ${PHASES.join(", ")}`);
  process.stderr.write(`${phase}…\n`);
  const figures = await PHASE_RUN[phase]!();
  const outFile = resultsFile();
  let results: Results = {};
  try {
    results = JSON.parse(readFileSync(outFile, "utf8")) as Results;
  } catch {
    results = { date: new Date().toISOString(), quick, machine: machineNow() };
  }
  const stamp = { date: new Date().toISOString(), machine: machineNow() };
  // The per-call figures are one record per era, each stamped.
  results[RESULT_KEY[phase]!] =
    phase === "calls"
      ? Object.fromEntries(Object.entries(figures).map(([era, e]) => [era, { ...(e as object), ...stamp }]))
      : { ...figures, ...stamp };
  writeFileSync(outFile, JSON.stringify(results, null, 2) + "\n");
  rmSync(cacheDir, { recursive: true, force: true });
  print({ [RESULT_KEY[phase]!]: results[RESULT_KEY[phase]!] }, `, ${phase} only`);
  process.stdout.write(`written to ${fileURLToPath(outFile)}\n`);
}

async function main(): Promise<void> {
  if (only !== undefined) return onlyPhase(only);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const results: Results = { date: new Date().toISOString(), quick, machine: machineNow() };

  log("cold start…");
  results.coldStartMs = await coldPhase();
  log("per-call overhead in each era…");
  results.perCallMs = await callsPhase();
  log("memory…");
  results.memoryMb = await memoryPhase();

  log("tokens and bulk paging…");
  results.tokens = await tokensPhase();
  const big = createSandbox({ identities: N.bulkIdentities });
  const bigServed = await serveSandbox(big);
  const bulkConn = await connect(serverEntry, serverEnv(bigServed.url, big));
  const perCall = N.bulkIdentities / 5;
  const bulkStarted = performance.now();
  let read = 0;
  for (let offset = 0; offset < N.bulkIdentities; offset += perCall) {
    const r = (await bulkConn.client.callTool({
      name: "list_identities",
      arguments: { maxItems: perCall, offset, defaultFilter: "NONE" },
    })) as CallToolResult;
    read += (r.structuredContent as { items: unknown[] }).items.length;
  }
  const bulkMs = performance.now() - bulkStarted;
  await bulkConn.client.close();
  const upstream = big.requests.filter((r) => /\/identities(\/v1)?$/.test(r.path));
  results.bulk = {
    identities: N.bulkIdentities,
    read,
    calls: 5,
    upstreamRequests: upstream.length,
    expectedRequests: 5 * Math.ceil(perCall / 250),
    tokenRequests: big.requests.filter((r) => r.path === "/oauth/token").length,
    rateLimited429: big.requests.filter((r) => r.status === 429).length,
    wallMs: round(bulkMs, 0),
  };
  await bigServed.close();

  log("sandbox tenant…");
  results.sandbox = await benchSandbox(quick);
  log("replicas on Redis…");
  results.replicas = await benchReplicas(serverEntry, BASE_ENV, quick);
  log("waiting confirmations…");
  results.pendingConfirmations = await pendingPhase();
  log("start-up tricks, each on and off…");
  results.startupTricks = await tricksPhase();

  print(results, "");
  const outFile = resultsFile();
  writeFileSync(outFile, JSON.stringify(results, null, 2) + "\n");
  rmSync(cacheDir, { recursive: true, force: true });
  process.stdout.write(`written to ${fileURLToPath(outFile)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

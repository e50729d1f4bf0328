// `npm run bench`: cold start, per-call overhead, bulk paging, memory, token counts, replicas on Redis and waiting confirmations, side by side in one run.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { createSandbox, pickFixtures, serveSandbox, type Sandbox } from "../src/sandbox/index.js";
import { measureTokens } from "./measure-tokens.js";
import { spawnRpc } from "./bench-rpc.js";
import { median, percentile, round } from "./bench-stats.js";
import { measureColdStarts } from "./bench-cold.js";
import { benchReplicas } from "./bench-replicas.js";
import { benchSandbox } from "./bench-sandbox.js";
import { benchPending, type PendingBench } from "./bench-pending.js";

const quick = process.argv.includes("--quick");
/** `--only pending`: run that phase alone and put its figures into the existing results file. */
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
const PHASES = ["pending"];
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
  return { ...BASE_ENV, SAIL_BASE_URL: url, SAIL_CLIENT_ID: sandbox.clientId, SAIL_CLIENT_SECRET: sandbox.clientSecret, ISC_MCP_LOG_LEVEL: "warn", ...extra };
}

async function connect(entry: string, env: Record<string, string>): Promise<{ client: Client; transport: StdioClientTransport }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [entry], env, stderr: "inherit" });
  const client = new Client({ name: "bench", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
}

function rssMb(pid: number | null): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return round(kb / 1024, 1);
}

const machine = () => ({ cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memoryGb: round(totalmem() / 2 ** 30, 1), node: process.version });

function pendingRow(p: PendingBench): [string, string] {
  return [
    "waiting confirmations",
    `${p.waiting} calls waiting on pages nobody answers: RSS ${p.rssMb.before} -> ${p.rssMb.waiting} MB (+${p.rssMb.growth} MB, ${p.rssMb.perCallKb} KB a call; peak ${p.rssMb.peak}) | a read ${p.readMs.waitingMedian} ms median meanwhile vs ${p.readMs.idleMedian} idle (${p.readMs.ratio}x) | server CPU while they wait ${p.cpuMsPerSecondWaiting} ms/s | opened in ${p.rampSeconds} s`,
  ];
}

/** One phase alone (`--only <phase>`): its row, and its figures merged into the results file of this mode. */
async function onlyPhase(phase: string): Promise<void> {
  if (!PHASES.includes(phase)) throw new Error(`--only takes one of: ${PHASES.join(", ")}`);
  process.stderr.write("waiting confirmations…\n");
  const pending = await benchPending(serverEntry, BASE_ENV, quick);
  const outDir = new URL("bench/", root);
  mkdirSync(outDir, { recursive: true });
  const outFile = new URL(quick ? "quick.json" : "latest.json", outDir);
  let results: Record<string, unknown> = {};
  try {
    results = JSON.parse(readFileSync(outFile, "utf8")) as Record<string, unknown>;
  } catch {
    results = { date: new Date().toISOString(), quick, machine: machine() };
  }
  results.pendingConfirmations = { ...pending, date: new Date().toISOString(), machine: machine() };
  writeFileSync(outFile, JSON.stringify(results, null, 2) + "\n");
  rmSync(cacheDir, { recursive: true, force: true });
  const [k, v] = pendingRow(pending);
  process.stdout.write(`isc-identities-mcp bench${quick ? " (quick)" : ""}, ${phase} only, on ${machine().cpu}, ${machine().cores} cores, node ${process.version}\n${k}  ${v}\n`);
  process.stdout.write(`written to ${fileURLToPath(outFile)}\n`);
}

async function main(): Promise<void> {
  if (only !== undefined) return onlyPhase(only);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const sandbox = createSandbox({ rateLimit: false });
  const served = await serveSandbox(sandbox);
  // This sandbox has no rate limit, so neither has the server here: the phases below measure our own overhead.
  const env = serverEnv(served.url, sandbox, { ISC_MCP_RATE_LIMIT: "0" });

  log("cold start…");
  const cold = await measureColdStarts(N.cold, {
    floor: { entry: floorEntry, env },
    minimal: { entry: minimalEntry, env },
    server: { entry: serverEntry, env },
    sandbox: { entry: serverEntry, args: ["--sandbox"], env: { ...BASE_ENV, ISC_MCP_LOG_LEVEL: "warn" } },
    firstStart: { entry: serverEntry, env: { ...env, NODE_DISABLE_COMPILE_CACHE: "1" } },
    tscOutput: { entry: tscEntry, env },
  }, BASE_ENV);

  log("per-call overhead and memory…");
  const { client } = await connect(serverEntry, env);
  const tokens = await measureTokens(client);
  const { plain } = pickFixtures(sandbox.state);
  const tokenRes = await fetch(`${served.url}/oauth/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: sandbox.clientId, client_secret: sandbox.clientSecret }),
  });
  const bearer = ((await tokenRes.json()) as { access_token: string }).access_token;
  await client.close();
  // The per-call phase talks raw JSON-RPC: the SDK client's own result validation is not the server's overhead.
  const rpc = await spawnRpc(serverEntry, env);
  const floorRpc = await spawnRpc(callFloorEntry, env);
  const rssStart = rssMb(rpc.pid ?? null);
  const callGet = () => rpc.request("tools/call", { name: "get_identity", arguments: { identityId: plain } });
  const floorGet = () => floorRpc.request("tools/call", { name: "get_identity", arguments: { identityId: plain } });
  // The same request the server makes on its default API version (v1: no experimental header on a read).
  const directGet = async () => (await fetch(`${served.url}/identities/v1/${plain}`, { headers: { authorization: `Bearer ${bearer}` } })).json();
  // A long-running server is measured warm: the first few hundred calls are the JIT's, not ours.
  for (let i = 0; i < N.warmup; i++) {
    await callGet();
    await directGet();
    await floorGet();
  }
  // By now the JIT and V8's heap sizing have settled; growth from here on would be a leak or unbounded caching.
  const rssWarm = rssMb(rpc.pid ?? null);
  const viaMcp: number[] = [];
  const direct: number[] = [];
  const viaFloor: number[] = [];
  for (let i = 0; i < N.calls; i++) {
    let t = performance.now();
    const r = (await callGet()) as { result?: { isError?: boolean } };
    viaMcp.push(performance.now() - t);
    if (!r.result || r.result.isError) throw new Error("get_identity failed during the bench");
    t = performance.now();
    await directGet();
    direct.push(performance.now() - t);
    t = performance.now();
    const f = (await floorGet()) as { result?: { structuredContent?: { identity?: { id?: string } } } };
    viaFloor.push(performance.now() - t);
    if (f.result?.structuredContent?.identity?.id !== plain) throw new Error("the per-call floor failed during the bench");
  }
  await floorRpc.close();
  // Memory counts from the end of the warm-up: the overhead phase's calls are the first of the memCalls.
  for (let i = N.calls; i < N.memCalls; i++) await callGet();
  const rssAfter = rssMb(rpc.pid ?? null);
  await rpc.close();

  log("bulk paging…");
  const big = createSandbox({ identities: N.bulkIdentities });
  const bigServed = await serveSandbox(big);
  const bulkConn = await connect(serverEntry, serverEnv(bigServed.url, big));
  const perCall = N.bulkIdentities / 5;
  const bulkStarted = performance.now();
  let read = 0;
  for (let offset = 0; offset < N.bulkIdentities; offset += perCall) {
    const r = (await bulkConn.client.callTool({ name: "list_identities", arguments: { maxItems: perCall, offset, defaultFilter: "NONE" } })) as CallToolResult;
    read += (r.structuredContent as { items: unknown[] }).items.length;
  }
  const bulkMs = performance.now() - bulkStarted;
  await bulkConn.client.close();
  const upstream = big.requests.filter((r) => /\/identities(\/v1)?$/.test(r.path));
  const bulk = {
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
  await served.close();

  log("sandbox tenant…");
  const sandboxSpeed = await benchSandbox(quick);

  log("replicas on Redis…");
  const replicas = await benchReplicas(serverEntry, BASE_ENV, quick);

  log("waiting confirmations…");
  const pendingConfirmations = await benchPending(serverEntry, BASE_ENV, quick);

  const ratio = (ms: number) => round(ms / cold.node, 2);
  const results = {
    date: new Date().toISOString(),
    quick,
    machine: machine(),
    coldStartMs: {
      ...cold,
      runs: N.cold,
      ratioToNode: ratio(cold.server),
      sandboxRatioToNode: ratio(cold.sandbox),
      firstStartRatioToNode: ratio(cold.firstStart),
      minimalRatioToNode: ratio(cold.minimal),
      floorRatioToNode: ratio(cold.floor),
      target: "<= 2.5x bare node and faster than the minimal SDK server",
    },
    perCallOverheadMs: {
      calls: N.calls,
      warmupCalls: N.warmup,
      mcpMedian: round(median(viaMcp), 3),
      directMedian: round(median(direct), 3),
      overheadMedian: round(median(viaMcp) - median(direct), 3),
      overheadP99: round(percentile(viaMcp, 99) - percentile(direct, 99), 3),
      // What the SDK, stdio and one plain fetch cost on this machine, measured the same way: no server goes below it.
      floorMedian: round(median(viaFloor), 3),
      floorOverheadMedian: round(median(viaFloor) - median(direct), 3),
      target: "<= 0.6 ms median",
    },
    bulk,
    memoryMb: {
      rssAfterStart: rssStart,
      rssAfterWarmup: rssWarm,
      warmupCalls: N.warmup,
      rssAfterCalls: rssAfter,
      calls: N.memCalls,
      growth: round(rssAfter - rssStart, 1),
      growthAfterWarmup: round(rssAfter - rssWarm, 1),
      target: "<= 30 MB growth after warm-up",
    },
    tokens,
    sandbox: sandboxSpeed,
    replicas,
    pendingConfirmations,
  };

  const rows: Array<[string, string]> = [
    ["cold start (median, ms)", `server ${cold.server} (${ratio(cold.server)}x) | --sandbox ${cold.sandbox} (${ratio(cold.sandbox)}x) | without code cache ${cold.firstStart} (${ratio(cold.firstStart)}x) | tsc output ${cold.tscOutput} | minimal SDK server ${cold.minimal} (${ratio(cold.minimal)}x) | SDK floor ${cold.floor} (${ratio(cold.floor)}x) | bare node ${cold.node}`],
    ["per-call overhead (ms)", `median ${results.perCallOverheadMs.overheadMedian} | p99 ${results.perCallOverheadMs.overheadP99} (${N.calls} calls) | SDK + fetch floor ${results.perCallOverheadMs.floorOverheadMedian}`],
    ["bulk list", `${bulk.read} identities in ${bulk.calls} calls: ${bulk.upstreamRequests} requests (expected ${bulk.expectedRequests}), ${bulk.tokenRequests} token, ${bulk.rateLimited429} x 429, ${bulk.wallMs} ms`],
    ["memory (RSS MB)", `start ${rssStart} | after ${N.warmup} warm-up calls ${rssWarm} | after ${N.memCalls} more ${rssAfter} | growth ${results.memoryMb.growthAfterWarmup} after warm-up (${results.memoryMb.growth} from start)`],
    ["sandbox tenant", `${sandboxSpeed.identities} identities seeded in ${sandboxSpeed.seedMs} ms | GET through the handler ${sandboxSpeed.getMedianMs} ms median (${sandboxSpeed.gets})`],
    [
      "replicas (HTTP, Redis)",
      replicas.skipped
        ? `skipped: ${replicas.skipped}`
        : `${replicas.callsPerSecond!.threeReplicas} calls/s through 3 replicas vs ${replicas.callsPerSecond!.oneReplica} through 1 (${replicas.callsPerSecond!.ratio}x, ${replicas.callsPerSecond!.concurrency} callers, limiter off) | guarded call ${replicas.guardedCallMs!.redis} ms on Redis vs ${replicas.guardedCallMs!.memory} ms in memory (+${replicas.guardedCallMs!.addedByRedis})`,
    ],
    pendingRow(pendingConfirmations),
    ["tokens", `tools/list ${tokens.toolsList} | instructions ${tokens.instructions} | 50 identities: raw ${tokens.list50.raw}, summary ${tokens.list50.structured} (${round(tokens.list50.structuredRatio * 100, 1)}%), text ${tokens.list50.text} (${round(tokens.list50.textRatio * 100, 1)}%)`],
    ...Object.entries(tokens.perTool).map(([name, n]): [string, string] => [`  ${name}`, `${n} tokens`]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`isc-identities-mcp bench${quick ? " (quick)" : ""} on ${results.machine.cpu}, ${results.machine.cores} cores, node ${process.version}\n`);
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  const outDir = new URL("bench/", root);
  mkdirSync(outDir, { recursive: true });
  const outFile = new URL(quick ? "quick.json" : "latest.json", outDir);
  writeFileSync(outFile, JSON.stringify(results, null, 2) + "\n");
  rmSync(cacheDir, { recursive: true, force: true });
  process.stdout.write(`written to ${fileURLToPath(outFile)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});

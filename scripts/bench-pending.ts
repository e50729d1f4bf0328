// The bench's pending-confirmation phase: thousands of calls waiting at once on pages nobody answers (stdio, URL elicitation): memory, CPU, and a read meanwhile.
import { readFileSync } from "node:fs";
import { createSandbox, serveSandbox } from "../src/sandbox/index.js";
import { spawnRpc, type RpcChild } from "./bench-rpc.js";
import { median, percentile, round } from "./bench-stats.js";

export interface PendingBench {
  /** Calls waiting at once, each on its own page (a distinct identity), none answered. */
  waiting: number;
  /** How many of them were let in at a time while they were being opened (each reads its target first). */
  openingAtOnce: number;
  rampSeconds: number;
  /** Server RSS (MB): after warm-up (reads, and pages opened and cancelled), with every call waiting, and the peak. */
  rssMb: { before: number; waiting: number; peak: number; growth: number; perCallKb: number };
  /** `get_identity` one after another: idle (before), and while every call waits. */
  readMs: { reads: number; idleMedian: number; waitingMedian: number; waitingP99: number; ratio: number };
  /** Server CPU while every call waits and nobody answers (ms of CPU per second): what waiting itself costs. */
  cpuMsPerSecondWaiting: number;
  target: string;
}

const TICKS_PER_SECOND = 100;

function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1]);
  return { rss: round(kb("VmRSS") / 1024, 1), peak: round(kb("VmHWM") / 1024, 1) };
}

/** utime + stime of the process, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

async function reads(rpc: RpcChild, identityId: string, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = (await rpc.request("tools/call", { name: "get_identity", arguments: { identityId } })) as {
      result?: { isError?: boolean };
    };
    times.push(performance.now() - t);
    if (!r.result || r.result.isError) throw new Error("bench: get_identity failed in the pending phase");
  }
  return times;
}

/** Has the server write a heap snapshot (a full GC first) and waits until the file stops growing. */
async function heapSnapshot(pid: number, dir: string): Promise<void> {
  const { readdirSync, statSync } = await import("node:fs");
  const files = () => readdirSync(dir).filter((f) => f.endsWith(".heapsnapshot"));
  const before = new Set(files());
  process.kill(pid, "SIGUSR2");
  let size = -1;
  for (;;) {
    await sleep(2_000);
    const file = files().find((f) => !before.has(f));
    if (!file) continue;
    const now = statSync(`${dir}/${file}`).size;
    if (now === size && now > 0) break;
    size = now;
  }
  const after = rssOf(pid);
  process.stderr.write(`bench: heap snapshot written; server RSS after its GC: ${after.rss} MB\n`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchPending(
  entry: string,
  baseEnv: Record<string, string>,
  quick: boolean,
): Promise<PendingBench> {
  // To look inside (not for the figure of record): BENCH_PENDING_CALLS sets how many wait; BENCH_PENDING_SNAPSHOT=<dir>
  // has the server write a heap snapshot there once they all wait (after the figures are taken).
  const n = Number(process.env.BENCH_PENDING_CALLS) || (quick ? 300 : 10_000);
  const snapshotDir = process.env.BENCH_PENDING_SNAPSHOT;
  const warmPages = quick ? 20 : 200;
  const readCount = quick ? 50 : 300;
  const openingAtOnce = 100;
  const sandbox = createSandbox({ rateLimit: false, identities: n + warmPages + 10 });
  const served = await serveSandbox(sandbox);
  const ids = [...sandbox.state.identities.keys()];
  const env = {
    ...baseEnv,
    SAIL_BASE_URL: served.url,
    SAIL_CLIENT_ID: sandbox.clientId,
    SAIL_CLIENT_SECRET: sandbox.clientSecret,
    ISC_MCP_LOG_LEVEL: "warn",
    ...(snapshotDir ? { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}` } : {}),
  };
  // Long enough that no call stops waiting during the phase; the caps raised so that all of them may wait.
  const args = [
    "--confirm",
    "strict",
    "--confirm-via",
    "url",
    "--confirm-wait",
    "3600",
    "--confirm-ttl",
    "3600",
    "--call-timeout",
    "3700000",
    "--rate-limit",
    "0",
    "--max-pending-per-session",
    String(n + warmPages),
    "--max-pending",
    String(n + warmPages),
  ];
  // A client that declares URL elicitation and "opens" every page, whose human never answers.
  const shown: string[] = [];
  const rpc = await spawnRpc(entry, env, args, {
    capabilities: { elicitation: { url: {} } },
    onRequest: (method, params) => {
      if (method !== "elicitation/create") return {};
      shown.push(String(params.url));
      return { action: "accept" };
    },
  });
  const pid = rpc.pid!;
  /** Calls that ended (answered, refused or cut off): none may, until the phase is over. */
  let ended = 0;
  const call = (identityId: string) =>
    rpc.request("tools/call", { name: "reset_identity", arguments: { identityId } }).finally(() => ended++);
  try {
    const readId = ids[0]!;
    // Warm, as the per-call phase is: the first few hundred calls are the JIT's.
    await reads(rpc, readId, quick ? 100 : 500);
    // Warm the page path too (listener, page ids, the store): pages opened, then cancelled on the page as a person would.
    const warm = ids.slice(1, 1 + warmPages).map(call);
    while (shown.length < warmPages) await sleep(20);
    for (const url of shown.splice(0)) {
      const target = new URL(url);
      await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: target.origin },
        body: new URLSearchParams({ answer: "cancel" }),
      });
    }
    await Promise.all(warm);
    ended = 0;
    const idle = await reads(rpc, readId, readCount);
    const before = rssOf(pid).rss;

    const targets = ids.slice(1 + warmPages, 1 + warmPages + n);
    const rampStart = performance.now();
    let fired = 0;
    // At most `openingAtOnce` calls between "called" and "waiting on its page", as a busy host would send them.
    while (shown.length < n) {
      // Not awaited: they wait until the server is closed at the end, which cuts them off.
      while (fired < n && fired - shown.length < openingAtOnce) call(targets[fired++]!).catch(() => {});
      await sleep(5);
    }
    const rampSeconds = (performance.now() - rampStart) / 1000;
    await sleep(quick ? 500 : 2_000);
    const cpu0 = cpuMs(pid);
    const t0 = performance.now();
    await sleep(quick ? 1_000 : 5_000);
    const cpuMsPerSecondWaiting = (cpuMs(pid) - cpu0) / ((performance.now() - t0) / 1000);
    const waitingReads = await reads(rpc, readId, readCount);
    const { rss: waiting, peak } = rssOf(pid);
    if (ended > 0) throw new Error(`bench: ${ended} of ${n} waiting calls ended before the phase did`);
    if (snapshotDir) await heapSnapshot(pid, snapshotDir);
    return {
      waiting: n,
      openingAtOnce,
      rampSeconds: round(rampSeconds, 1),
      rssMb: {
        before,
        waiting,
        peak,
        growth: round(waiting - before, 1),
        perCallKb: round(((waiting - before) * 1024) / n, 1),
      },
      readMs: {
        reads: readCount,
        idleMedian: round(median(idle), 3),
        waitingMedian: round(median(waitingReads), 3),
        waitingP99: round(percentile(waitingReads, 99), 3),
        ratio: round(median(waitingReads) / median(idle), 2),
      },
      cpuMsPerSecondWaiting: round(cpuMsPerSecondWaiting, 1),
      target: `<= 150 MB RSS growth with ${n} waiting; a read <= 3x its idle median`,
    };
  } finally {
    await rpc.close();
    await served.close();
  }
}

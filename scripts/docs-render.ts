// Renders the README's generated sections (tools, options, prompts) from the code; `npm run docs` writes them, a test compares.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE } from "../src/core/version.js";
import { TOOLS } from "../tools/index.js";
import { PROMPTS } from "../prompts/index.js";
import { OPTIONS } from "../src/config/options.js";
import { listedTool } from "../src/mcp/listed-tools.js";
import type { ReplicaBench } from "./bench-replicas.js";
import type { SandboxBench } from "./bench-sandbox.js";
import type { PendingBench } from "./bench-pending.js";
import type { EraCalls } from "./bench-eras.js";
import type { MemoryFigures as RecordedMemory } from "./bench-rpc.js";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function toolsTable(): string {
  const rows = TOOLS.map((tool) => {
    const schema = listedTool(tool).inputSchema as { properties?: Record<string, unknown>; required?: string[] };
    const required = new Set(schema.required ?? []);
    const args = Object.keys(schema.properties ?? {})
      .map((a) => (required.has(a) ? `\`${a}\`` : `\`${a}?\``))
      .join(", ");
    return `| \`${tool.name}\` | ${tool.kind} | ${cell(tool.description)} | ${args} | ${cell(tool.rights)} |`;
  });
  return [
    "| tool | kind | what it does | arguments (`?` optional) | ISC rights |",
    "|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

function optionsTable(): string {
  const rows = OPTIONS.map((o) => {
    const flag = o.flag ? `\`--${o.flag}\`` : "(environment only)";
    const env = o.env ? `\`${o.env}\`` : "";
    const def = o.default === undefined ? "" : `\`${String(o.default)}\``;
    const values = o.values ? ` One of: ${o.values.join(", ")}.` : "";
    return `| ${flag} | ${env} | ${def} | ${cell(o.description + values)} |`;
  });
  return ["| flag | environment | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

function promptsList(): string {
  return PROMPTS.map((p) => {
    const args = p.arguments.map((a) => `\`${a.name}\`${a.required ? "" : "?"}`).join(", ");
    return `- \`${p.name}\` (${args}): ${p.description}`;
  }).join("\n");
}

interface Measured {
  /** Set when the phase was measured alone (`npm run bench -- --only <phase>`). */
  date?: string;
  machine?: { cpu: string; cores: number };
}

/** Files written before the memory phase named its era have none. */
type MemoryFigures = Omit<RecordedMemory, "era" | "target"> & { era?: string };

interface BenchResults {
  date: string;
  machine: { cpu: string; cores: number; memoryGb: number; node: string };
  coldStartMs: Measured & {
    server: number;
    sandbox: number;
    firstStart: number;
    tscOutput: number;
    minimal: number;
    floor: number;
    node: number;
    runs: number;
    ratioToFloor: number;
    met: { floor: boolean; minimal: boolean };
  };
  perCallMs: Record<string, EraCalls & Measured>;
  bulk: {
    identities: number;
    read: number;
    calls: number;
    upstreamRequests: number;
    expectedRequests: number;
    tokenRequests: number;
    rateLimited429: number;
    wallMs: number;
  };
  /** The 2025-11-25 figures (the era is named since the 2026 leg came), and the 2026-07-28 ones under their key. */
  memoryMb: Measured & MemoryFigures & { "2026-07-28"?: MemoryFigures };
  tokens: {
    toolsList: number;
    instructions: number;
    perTool: Record<string, number>;
    list50: { raw: number; structured: number; text: number; structuredRatio: number; textRatio: number };
  };
  replicas?: ReplicaBench;
  sandbox?: SandboxBench;
  pendingConfirmations?: PendingBench & Measured & { met?: { memory: boolean; read: boolean } };
}

const met = (ok: boolean | undefined) => (ok === undefined ? "" : ok ? " ✓" : " ✗ (not met)");
/** " (measured alone <date> on <cpu>)" for a phase run with --only, else nothing. */
const alone = (m: Measured) =>
  m.date
    ? ` (measured alone ${m.date.slice(0, 10)}${m.machine ? ` on ${m.machine.cpu}, ${m.machine.cores} cores` : ""})`
    : "";

/** The replica row: measured, or why it was not (no redis-server where the bench ran). */
function replicaRow(r: ReplicaBench | undefined): string {
  const what = "replicas over HTTP `--stateless` on one Redis (sandbox upstream, limiter off)";
  if (!r || r.skipped || !r.callsPerSecond || !r.guardedCallMs)
    return `| ${what} | not measured${r?.skipped ? `: ${r.skipped}` : ""} | 3 replicas faster than 1; Redis cost of a guarded call |`;
  const c = r.callsPerSecond;
  const g = r.guardedCallMs;
  return `| ${what} | ${c.threeReplicas} tool calls/s through 3 replicas vs ${c.oneReplica} through 1 (${c.ratio}×, ${c.concurrency} callers, ${c.seconds} s each); one guarded call ${g.redis} ms on Redis vs ${g.memory} ms in memory (${g.addedByRedis >= 0 ? "+" : "−"}${Math.abs(g.addedByRedis)} ms, median of ${g.calls}) | 3 replicas faster than 1; Redis cost of a guarded call |`;
}

/** The waiting-confirmations row (`npm run bench -- --only pending` measures it alone, on its own date). */
function pendingRow(p: BenchResults["pendingConfirmations"]): string {
  const target = "≤ 150 MB RSS growth; a read ≤ 3× its idle median";
  if (!p) return `| calls waiting on confirmation pages nobody answers | not measured yet | ${target} |`;
  return `| ${p.waiting} calls waiting at once on confirmation pages nobody answers (stdio, URL elicitation, opened ${p.openingAtOnce} at a time)${alone(p)} | RSS +${p.rssMb.growth} MB (${p.rssMb.before} → ${p.rssMb.waiting} MB, ${p.rssMb.perCallKb} KB a call)${met(p.met?.memory)}; \`get_identity\` meanwhile ${p.readMs.waitingMedian} ms median vs ${p.readMs.idleMedian} ms idle (${p.readMs.ratio}×)${met(p.met?.read)}; server CPU while they wait ${p.cpuMsPerSecondWaiting} ms/s | ${target} |`;
}

/** One row per protocol era: `get_identity` through that era's SDK client, against the SDK's floor. */
function perCallRows(calls: BenchResults["perCallMs"]): string[] {
  return Object.values(calls).map(
    (e) =>
      `| per call, protocol ${e.era} (${e.client}, stdio; median of ${e.calls} after ${e.warmupCalls} warm-up)${alone(e)} | ${e.serverMedian} ms vs the SDK's floor ${e.floorMedian} ms: +${e.aboveFloor} ms${met(e.met)}; over a direct GET ${e.overheadMedian} ms (floor ${e.floorOverheadMedian} ms) | ≤ the floor + 0.25 ms |`,
  );
}

/** One row, each protocol era's server measured alone from a raw client of that era (2026: not before it was measured). */
function memoryRow(m: BenchResults["memoryMb"]): string {
  const figures = (f: MemoryFigures) =>
    `${f.rssAfterStart} MB after start, ${f.rssAfterWarmup} MB after ${f.warmupCalls} warm-up calls, ${f.rssAfterCalls} MB after ${f.calls} more: +${f.growthAfterWarmup} MB${met(f.met)} (+${f.growth} MB from start)`;
  const modern = m["2026-07-28"];
  return `| memory (RSS), \`get_identity\` calls from a raw client of each protocol era${alone(m)} | 2025-11-25: ${figures(m)}; 2026-07-28: ${modern ? figures(modern) : "not measured yet"} | ≤ 30 MB growth over ${m.calls} calls after warm-up, each era |`;
}

const pct = (ratio: number) => `${Math.round(ratio * 1000) / 10}%`;

/** The README's numbers come from the committed bench/latest.json, so they cannot drift from a real run. */
function benchTable(): string {
  let b: BenchResults;
  try {
    b = JSON.parse(readFileSync(join(PACKAGE.root ?? ".", "bench", "latest.json"), "utf8")) as BenchResults;
  } catch {
    return "No benchmark results yet: run `npm run bench`.";
  }
  const m = b.machine;
  const t = b.tokens;
  const c = b.coldStartMs;
  return [
    `Measured ${b.date.slice(0, 10)} on ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}.`,
    "",
    "| measurement | result | target |",
    "|---|---|---|",
    `| cold start, spawn → \`tools/list\` answer read over stdio by a bare JSON-RPC client (median of ${c.runs})${alone(c)} | tenant configured ${c.server} ms = ${c.ratioToFloor}× the SDK's floor (${c.floor} ms: its low-level \`Server\`, stdio, one static tool, bundled the same way)${met(c.met.floor)}; minimal one-tool \`McpServer\` ${c.minimal} ms${met(c.met.minimal)}; \`--sandbox\` ${c.sandbox} ms; without its code cache ${c.firstStart} ms; unbundled tsc output ${c.tscOutput} ms; bare \`node -e ""\` ${c.node} ms | ≤ 1.15× the SDK's floor; faster than the minimal \`McpServer\` |`,
    ...perCallRows(b.perCallMs),
    `| bulk: ${b.bulk.identities} identities via \`list_identities\` (${b.bulk.calls} calls, \`maxItems\` + \`offset\`) | ${b.bulk.read} read, ${b.bulk.upstreamRequests} upstream requests (expected ${b.bulk.expectedRequests}), ${b.bulk.tokenRequests} token request, ${b.bulk.rateLimited429} × 429, ${b.bulk.wallMs} ms | ${b.bulk.expectedRequests} requests, 1 token, 0 × 429 |`,
    memoryRow(b.memoryMb),
    `| \`tools/list\`, all ${Object.keys(t.perTool).length} tools with output schemas | ${t.toolsList} tokens | ≤ 3,000 |`,
    `| 50 identities, \`list_identities\` default view vs raw ISC JSON (${t.list50.raw} tokens) | structured ${t.list50.structured} (${pct(t.list50.structuredRatio)}), text ${t.list50.text} (${pct(t.list50.textRatio)}) | ≤ 25% |`,
    `| server instructions | ${t.instructions} tokens | ≤ 150 |`,
    b.sandbox
      ? `| sandbox tenant: seeding ${b.sandbox.identities} identities; one GET through its handler (median of ${b.sandbox.gets}) | ${b.sandbox.seedMs} ms; ${b.sandbox.getMedianMs} ms | < 1 s; < 1 ms |`
      : "| sandbox tenant: seeding 10000 identities; one GET through its handler | not measured yet | < 1 s; < 1 ms |",
    replicaRow(b.replicas),
    pendingRow(b.pendingConfirmations),
    "",
    "Tokens per tool definition: " +
      Object.entries(t.perTool)
        .map(([name, n]) => `\`${name}\` ${n}`)
        .join(", ") +
      ".",
  ].join("\n");
}

const SECTIONS: Record<string, () => string> = {
  tools: toolsTable,
  options: optionsTable,
  prompts: promptsList,
  bench: benchTable,
};

/** Replaces every `<!-- name:start -->…<!-- name:end -->` block with freshly generated text. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const i = out.indexOf(start);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`README.md lacks the ${start} … ${end} markers`);
    out = `${out.slice(0, i + start.length)}\n${render()}\n${out.slice(j)}`;
  }
  return out;
}

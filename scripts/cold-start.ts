// `npm run cold-start`: spawn → `tools/list` answered, for the tsc output and the single-file bundle, median of N runs.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

const RUNS = Number(process.argv[2] ?? 15);
const root = fileURLToPath(new URL("../../", import.meta.url));
const targets: Array<{ name: string; args: string[] }> = [
  { name: "bare node (spawn → exit)", args: ["-e", ""] },
  { name: "tsc output (dist/src/cli.js)", args: [`${root}dist/src/cli.js`, "--sandbox"] },
  { name: "bundle (dist/bundle/src/cli.js)", args: [`${root}dist/bundle/src/cli.js`, "--sandbox"] },
];

const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "cold-start", version: "1" } } };
const LIST = { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} };

/** One run: ms from spawn until the tools/list response arrives (or until exit, for bare node). */
function once(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "ignore"], env: { PATH: process.env.PATH ?? "" } });
    if (args[0] === "-e") {
      child.on("exit", () => resolve(performance.now() - started));
      return;
    }
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      if (buffer.includes('"id":2')) {
        const ms = performance.now() - started;
        child.kill();
        resolve(ms);
      }
    });
    child.on("error", reject);
    // Both messages are written at once, like a host that pipelines: the server answers when it is ready.
    child.stdin.write(`${JSON.stringify(INIT)}\n${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n${JSON.stringify(LIST)}\n`);
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  process.stdout.write(`cold start, median of ${RUNS} (${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version})\n`);
  for (const t of targets) {
    const file = t.args[0] ?? "";
    if (file !== "-e" && !existsSync(file)) {
      process.stdout.write(`  ${t.name.padEnd(34)} missing (run npm run build)\n`);
      continue;
    }
    await once(t.args); // warm the file-system cache
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await once(t.args));
    process.stdout.write(`  ${t.name.padEnd(34)} ${median(times).toFixed(0).padStart(5)} ms\n`);
  }
}

void main();

// The bench's start-up tricks phase: each trick of the shipped bundle switched off in a copy of it, cold starts interleaved with the bundle as shipped.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { measureColdStarts, type ColdEntry } from "./bench-cold.js";
import { spawnRpc } from "./bench-rpc.js";
import { round } from "./bench-stats.js";
import { HEAP_GROWING, HEAP_GROWING_DEFAULT } from "../src/cli/boot/v8-flags.js";

export interface Trick {
  name: string;
  /** Where it lives, and how it is switched off here. */
  how: string;
  /** Cold start (median, ms) as shipped and without the trick, measured in the same rounds. */
  withMs: number;
  withoutMs: number;
  /** withoutMs - withMs: what the trick saves a start (negative: it costs). */
  savedMs: number;
  /**
   * CPU time (user + system, median, ms) the process spent up to its `tools/list` answer, with and without: on a shared
   * machine a start's wall clock mostly measures waiting for a core, its CPU time much less so.
   */
  cpuMs: { with: number; without: number; saved: number };
  /** For a memory trick: RSS (MB) after the same `get_identity` calls, with and without. */
  rssMb?: { calls: number; with: number; without: number };
}

export interface TricksBench {
  runs: number;
  /** The shipped bundle's median in these rounds. */
  shippedMs: number;
  tricks: Trick[];
}

/** A copy of the shipped bundle's folder whose cli.cjs and main.js went through `patch`, which must change each. */
function variant(bundleDir: string, name: string, patch: (code: string, file: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), `isc-bench-trick-${name}-`));
  cpSync(bundleDir, dir, { recursive: true });
  for (const file of ["cli.cjs", "main.js"]) {
    const path = join(dir, "src", "cli", file);
    const before = readFileSync(path, "utf8");
    writeFileSync(path, patch(before, file));
  }
  return dir;
}

/** Replaces `from` (a string or a pattern that must match once) in cli.cjs only; fails loudly when the bundle changed shape. */
function inCli(
  from: RegExp | string,
  to: string | ((...m: string[]) => string),
): (code: string, file: string) => string {
  return (code, file) => {
    if (file !== "cli.cjs") return code;
    const found = typeof from === "string" ? code.includes(from) : from.test(code);
    if (!found)
      throw new Error(`bench tricks: ${String(from)} not found in cli.cjs; the bundle changed (see scripts/bundle.ts)`);
    return code.replace(from, to as never);
  };
}

/** The heap flag set to its default (V8 picks the factor) wherever the bundle names it: the server then runs without it. */
const withoutHeapFlag = (code: string, file: string) => {
  const flag = JSON.stringify(HEAP_GROWING);
  if (file === "cli.cjs" && !code.includes(flag))
    throw new Error(`bench tricks: ${flag} was not found in cli.cjs (see src/cli/boot/v8-flags.ts)`);
  return code.replaceAll(flag, JSON.stringify(HEAP_GROWING_DEFAULT));
};

async function rssAfterCalls(entry: string, env: Record<string, string>, calls: number): Promise<number> {
  const rpc = await spawnRpc(entry, env);
  try {
    const listed = (await rpc.request("tools/call", { name: "list_identities", arguments: { limit: 1 } })) as {
      result?: { structuredContent?: { items?: Array<{ id: string }> } };
    };
    const id = listed.result?.structuredContent?.items?.[0]?.id;
    if (!id) throw new Error("bench tricks: list_identities gave no identity");
    for (let i = 0; i < calls; i++)
      await rpc.request("tools/call", { name: "get_identity", arguments: { identityId: id } });
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${rpc.pid}/status`, "utf8"))?.[1]);
    return round(kb / 1024, 1);
  } finally {
    await rpc.close();
  }
}

/**
 * `serverEntry` is the shipped main.js; `env` points it at a tenant. Each variant is a patched copy of the bundle (so
 * the same code, minus one trick), started `runs` times in the same interleaved rounds as the shipped one.
 */
export async function benchTricks(
  serverEntry: string,
  env: Record<string, string>,
  baseEnv: Record<string, string>,
  runs: number,
): Promise<TricksBench> {
  const bundleDir = dirname(dirname(dirname(serverEntry)));
  const main = (dir: string) => join(dir, "src", "cli", "main.js");
  // Each variant gets a code cache of its own (its bundle differs), as the shipped one has.
  const cached = (dir: string): ColdEntry => ({
    entry: main(dir),
    env: { ...env, NODE_COMPILE_CACHE: mkdtempSync(join(tmpdir(), "isc-bench-trick-cache-")) },
  });
  const dirs = {
    v8HeapGrowing: variant(bundleDir, "heap-growing", withoutHeapFlag),
    zodJitless: variant(bundleDir, "jitless", inCli(/;([\w$]+)\(\{jitless:!0\}\);/, ";")),
    // ky's module, which src/isc/ky-lazy.ts runs on first use, run at start instead: its (idempotent) init, called at the
    // end of the bundle, once every module is defined and before anything is served.
    lazyKy: variant(bundleDir, "ky", (code, file) => {
      if (file !== "cli.cjs") return code;
      // loadHttp's `??= Promise.all([import("ky"), import("./undici-fetch.js")])`, as esbuild writes it: ky's comes first.
      const init = /[\w$]+\?\?=Promise\.all\(\[Promise\.resolve\(\)\.then\(\(\)=>\(([\w$]+)\(\),[\w$]+\)\)/.exec(
        code,
      )?.[1];
      if (!init) throw new Error("bench tricks: ky's lazy import was not found in cli.cjs (see src/isc/ky-lazy.ts)");
      return `${code}\n;${init}();\n`;
    }),
    keepAllNames: variant(
      bundleDir,
      "names",
      inCli(
        /e\.prototype\?([\w$]+)\(e,"name",\{value:t,configurable:!0\}\):e/,
        (_m: string, define: string) => `${define}(e,"name",{value:t,configurable:!0})`,
      ),
    ),
  };

  const shipped: ColdEntry = { entry: serverEntry, env };
  const contenders = {
    shipped,
    codeCache: { entry: serverEntry, env: { ...env, NODE_DISABLE_COMPILE_CACHE: "1" } },
    v8HeapGrowing: cached(dirs.v8HeapGrowing),
    zodJitless: cached(dirs.zodJitless),
    lazyKy: cached(dirs.lazyKy),
    keepAllNames: cached(dirs.keepAllNames),
  };
  // Wall clock and CPU time of the same starts (the CPU read from outside the process, up to the tools/list answer).
  const { ms: starts, cpuMs: cpu } = await measureColdStarts(runs, contenders, baseEnv);
  const trick = (name: string, how: string, key: keyof typeof contenders): Trick => ({
    name,
    how,
    withMs: starts.shipped,
    withoutMs: starts[key],
    savedMs: round(starts[key] - starts.shipped, 1),
    cpuMs: {
      with: cpu.shipped ?? Number.NaN,
      without: cpu[key] ?? Number.NaN,
      saved: round((cpu[key] ?? Number.NaN) - (cpu.shipped ?? Number.NaN), 1),
    },
  });
  const memCalls = runs >= 10 ? 3_000 : 100;
  const heapGrowing = trick(
    HEAP_GROWING,
    "src/cli/boot/v8-flags.ts, set once start-up is over; set to its default (0) instead",
    "v8HeapGrowing",
  );
  heapGrowing.rssMb = {
    calls: memCalls,
    with: await rssAfterCalls(serverEntry, env, memCalls),
    without: await rssAfterCalls(main(dirs.v8HeapGrowing), env, memCalls),
  };
  const tricks = [
    trick("code cache", "src/cli/boot/compile-cache.ts; NODE_DISABLE_COMPILE_CACHE=1", "codeCache"),
    heapGrowing,
    trick("zod jitless", "src/cli/boot/zod-jitless.ts; its z.config call taken out", "zodJitless"),
    trick("lazy ky", "src/isc/ky-lazy.ts; ky's module run at start instead", "lazyKy"),
    trick(
      "keepNames for classes only",
      "scripts/bundle.ts keepClassNamesOnly; every function named again",
      "keepAllNames",
    ),
  ];
  for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true });
  return { runs, shippedMs: starts.shipped, tricks };
}

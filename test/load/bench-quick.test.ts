// The bench in its quick mode (many starts of the CLI and its peers, 300 waiting calls, three replicas on Redis): it must work and count requests right; how fast it is is for `npm run bench`.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BENCH_LIMIT = 300_000;

describe("npm run bench (quick mode)", () => {
  it(
    "prints the table and writes JSON with every measurement",
    async () => {
      const script = fileURLToPath(new URL("../../dist/scripts/bench.js", import.meta.url));
      // Not execFileSync: that held the worker's event loop for the whole run. Quick mode is bounded work (cold starts and
      // a few hundred calls) that took over two minutes at load 20.
      const { stdout } = await promisify(execFile)(process.execPath, [script, "--quick"], {
        encoding: "utf8",
        timeout: BENCH_LIMIT,
      });
      // Each figure is printed with its target and whether it is met.
      expect(stdout).toMatch(
        /cold start \(median, ms\)\s+server [\d.]+ = [\d.]+x the SDK floor [\d.]+ \(target <= 1\.15x: (met|NOT MET)\) \| minimal McpServer [\d.]+ \(server faster: (met|NOT MET)\)/,
      );
      for (const era of ["2025-11-25", "2026-07-28"])
        expect(stdout).toMatch(
          new RegExp(
            `per call, ${era} \\(ms\\)\\s+server [\\d.]+ vs SDK floor [\\d.]+: \\+-?[\\d.]+ \\(target <= \\+0\\.25: (met|NOT MET)\\)`,
          ),
        );
      // Memory in both eras, each from a raw client of that era against a server of its own.
      for (const era of ["2025-11-25", "2026-07-28"])
        expect(stdout).toMatch(
          new RegExp(
            `memory, ${era} \\(RSS MB\\)\\s+\\+-?[\\d.]+ over 300 calls after 20 warm-up \\(target <= 30: (met|NOT MET)\\)`,
          ),
        );
      const results = JSON.parse(readFileSync(new URL("../../bench/quick.json", import.meta.url), "utf8"));
      expect(results.quick).toBe(true);
      expect(results.coldStartMs.server).toBeGreaterThan(0);
      expect(results.coldStartMs.tscOutput).toBeGreaterThan(0);
      expect(results.coldStartMs.sandbox).toBeGreaterThan(0);
      expect(results.coldStartMs.floor).toBeGreaterThan(0);
      expect(results.coldStartMs.firstStart).toBeGreaterThan(0);
      expect(typeof results.coldStartMs.met.floor).toBe("boolean");
      // The CPU time of the same starts, read from Linux's scheduler statistics (none elsewhere).
      if (process.platform === "linux") {
        expect(results.coldStartMs.cpuMs.server).toBeGreaterThan(0);
        expect(results.coldStartMs.cpuMs.floor).toBeGreaterThan(0);
        expect(results.coldStartMs.cpuRatioToFloor).toBeGreaterThan(0);
      }
      // Both eras, each through its own SDK client, each against the SDK's floor.
      for (const era of ["2025-11-25", "2026-07-28"]) {
        expect(results.perCallMs[era]).toMatchObject({ era, calls: 50 });
        expect(results.perCallMs[era].serverMedian).toBeGreaterThan(0);
        expect(results.perCallMs[era].floorMedian).toBeGreaterThan(0);
        expect(typeof results.perCallMs[era].met).toBe("boolean");
      }
      // Paging is exact: one request per 250 identities, one token, no 429s.
      expect(results.bulk.read).toBe(results.bulk.identities);
      expect(results.bulk.upstreamRequests).toBe(results.bulk.expectedRequests);
      expect(results.bulk.tokenRequests).toBe(1);
      expect(results.bulk.rateLimited429).toBe(0);
      // The 2025 figures where they always were; the 2026 ones under their era.
      expect(results.memoryMb).toMatchObject({ era: "2025-11-25", calls: 300, warmupCalls: 20 });
      expect(results.memoryMb.rssAfterCalls).toBeGreaterThan(0);
      expect(results.memoryMb["2026-07-28"]).toMatchObject({ era: "2026-07-28", calls: 300, warmupCalls: 20 });
      expect(results.memoryMb["2026-07-28"].rssAfterCalls).toBeGreaterThan(0);
      expect(results.tokens.toolsList).toBeGreaterThan(500);
      // The sandbox's speed is measured here, not asserted by timed tests.
      expect(results.sandbox).toMatchObject({ identities: 10_000, gets: 100 });
      expect(results.sandbox.seedMs).toBeGreaterThan(0);
      expect(results.sandbox.getMedianMs).toBeGreaterThan(0);
      // 300 calls waited at once on pages nobody answered, none ended early; what they cost is for `npm run bench`.
      expect(stdout).toMatch(
        /waiting confirmations\s+300 calls waiting on pages nobody answers: RSS \+-?[\d.]+ MB \([\d.]+ -> [\d.]+, [\d.]+ KB a call; target <= 150 MB for 10000: (met|NOT MET)\) \| a read [\d.]+ ms median meanwhile vs [\d.]+ idle \([\d.]+x; target <= 3x: (met|NOT MET)\)/,
      );
      expect(results.pendingConfirmations).toMatchObject({ waiting: 300, readMs: { reads: 50 } });
      expect(results.pendingConfirmations.rssMb.waiting).toBeGreaterThan(0);
      expect(results.pendingConfirmations.readMs.ratio).toBeGreaterThan(0);
      // Each start-up trick switched off in a copy of the bundle, started beside the shipped one.
      expect(results.startupTricks.tricks.map((t: { name: string }) => t.name)).toEqual([
        "code cache",
        "--heap-growing-percent=50",
        "zod jitless",
        "lazy ky",
        "keepNames for classes only",
      ]);
      for (const t of results.startupTricks.tricks) expect(t.withoutMs).toBeGreaterThan(0);
    },
    BENCH_LIMIT + 10_000,
  );
});

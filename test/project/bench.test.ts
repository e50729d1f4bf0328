// The bench runs in a quick mode in CI: it must work and count requests right; how fast it is is for `npm run bench`.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

describe("npm run bench (quick mode)", () => {
  it("prints the table and writes JSON with every measurement", () => {
    const script = fileURLToPath(new URL("../../dist/scripts/bench.js", import.meta.url));
    const stdout = execFileSync(process.execPath, [script, "--quick"], { encoding: "utf8", timeout: 120_000, stdio: ["ignore", "pipe", "pipe"] });
    expect(stdout).toMatch(/cold start \(median, ms\)\s+server [\d.]+ \([\d.]+x\) \| --sandbox [\d.]+ \([\d.]+x\) \| without code cache [\d.]+ \([\d.]+x\) \| tsc output [\d.]+ \| minimal SDK server [\d.]+ \([\d.]+x\) \| SDK floor [\d.]+ \([\d.]+x\) \| bare node [\d.]+/);
    const results = JSON.parse(readFileSync(new URL("../../bench/quick.json", import.meta.url), "utf8"));
    expect(results.quick).toBe(true);
    expect(results.coldStartMs.server).toBeGreaterThan(0);
    expect(results.coldStartMs.tscOutput).toBeGreaterThan(0);
    expect(results.coldStartMs.sandbox).toBeGreaterThan(0);
    expect(results.coldStartMs.floor).toBeGreaterThan(0);
    expect(results.coldStartMs.firstStart).toBeGreaterThan(0);
    expect(results.perCallOverheadMs.calls).toBe(50);
    expect(Number.isFinite(results.perCallOverheadMs.overheadMedian)).toBe(true);
    expect(results.perCallOverheadMs.floorMedian).toBeGreaterThan(0);
    // Paging is exact: one request per 250 identities, one token, no 429s.
    expect(results.bulk.read).toBe(results.bulk.identities);
    expect(results.bulk.upstreamRequests).toBe(results.bulk.expectedRequests);
    expect(results.bulk.tokenRequests).toBe(1);
    expect(results.bulk.rateLimited429).toBe(0);
    expect(results.memoryMb.rssAfterCalls).toBeGreaterThan(0);
    expect(results.tokens.toolsList).toBeGreaterThan(500);
    // The sandbox's speed is measured here, not asserted by timed tests.
    expect(results.sandbox).toMatchObject({ identities: 10_000, gets: 100 });
    expect(results.sandbox.seedMs).toBeGreaterThan(0);
    expect(results.sandbox.getMedianMs).toBeGreaterThan(0);
    // 300 calls waited at once on pages nobody answered, none ended early; what they cost is for `npm run bench`.
    expect(stdout).toMatch(/waiting confirmations\s+300 calls waiting on pages nobody answers: RSS [\d.]+ -> [\d.]+ MB/);
    expect(results.pendingConfirmations).toMatchObject({ waiting: 300, readMs: { reads: 50 } });
    expect(results.pendingConfirmations.rssMb.waiting).toBeGreaterThan(0);
    expect(results.pendingConfirmations.readMs.ratio).toBeGreaterThan(0);
  }, 150_000);
});

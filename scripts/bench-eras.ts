// The bench's per-call phase in each protocol era: `get_identity` through a real SDK client over stdio, against the SDK's own floor, interleaved.
import { Client as Client2025 } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as Stdio2025 } from "@modelcontextprotocol/sdk/client/stdio.js";
import { Client as Client2026 } from "@modelcontextprotocol/client";
import { StdioClientTransport as Stdio2026 } from "@modelcontextprotocol/client/stdio";
import { median, percentile, round } from "./bench-stats.js";

/** What the per-call target allows above the SDK's floor, in each era (issue #25 §8). */
export const ABOVE_FLOOR_MS = 0.25;

export type Era = "2025-11-25" | "2026-07-28";

export interface EraCalls {
  era: Era;
  /** Which client made the calls. */
  client: string;
  calls: number;
  warmupCalls: number;
  /** Medians (ms) of one call: through the server, through the SDK's floor, and the same GET straight to the tenant. */
  serverMedian: number;
  floorMedian: number;
  directMedian: number;
  /** The server's and the floor's cost over a direct GET (median of each minus the direct median), and p99 of the server's. */
  overheadMedian: number;
  floorOverheadMedian: number;
  overheadP99: number;
  /** Server minus floor (medians): what this project adds to a call on this SDK. */
  aboveFloor: number;
  target: string;
  met: boolean;
}

interface Caller {
  call(identityId: string): Promise<{ isError?: boolean; structuredContent?: unknown }>;
  close(): Promise<void>;
}

async function connect(era: Era, entry: string, env: Record<string, string>): Promise<Caller> {
  if (era === "2025-11-25") {
    // The 2025-era client most hosts embed (what the tests use too).
    const client = new Client2025({ name: "bench", version: "1.0.0" });
    await client.connect(new Stdio2025({ command: process.execPath, args: [entry], env, stderr: "inherit" }));
    return {
      call: async (identityId) => (await client.callTool({ name: "get_identity", arguments: { identityId } })) as never,
      close: () => client.close(),
    };
  }
  const client = new Client2026({ name: "bench", version: "2.0.0" }, { versionNegotiation: { mode: { pin: era } } });
  await client.connect(new Stdio2026({ command: process.execPath, args: [entry], env, stderr: "inherit" }));
  return {
    call: async (identityId) => (await client.callTool({ name: "get_identity", arguments: { identityId } })) as never,
    close: () => client.close(),
  };
}

export interface EraBenchOptions {
  server: { entry: string; env: Record<string, string> };
  floor: { entry: string; env: Record<string, string> };
  identityId: string;
  /** The same GET the server makes, straight to the tenant. */
  direct: () => Promise<unknown>;
  warmup: number;
  calls: number;
}

/**
 * One era: a client of that era to the server and one to the floor, a warm-up (the JIT's first few hundred calls),
 * then `calls` rounds of server call, floor call and direct GET, one after another so a noisy moment on a shared
 * machine hits all three alike. Neither client lists tools first, so neither validates a result against an output
 * schema: that is the host's work, not the server's.
 */
export async function benchEra(era: Era, o: EraBenchOptions): Promise<EraCalls> {
  const server = await connect(era, o.server.entry, o.server.env);
  const floor = await connect(era, o.floor.entry, o.floor.env);
  try {
    const viaServer: number[] = [];
    const viaFloor: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < o.warmup + o.calls; i++) {
      let t = performance.now();
      const r = await server.call(o.identityId);
      const s = performance.now() - t;
      if (r.isError || !r.structuredContent)
        throw new Error(`get_identity failed during the ${era} per-call bench: ${JSON.stringify(r).slice(0, 300)}`);
      t = performance.now();
      const f = await floor.call(o.identityId);
      const fl = performance.now() - t;
      if (f.isError || !f.structuredContent) throw new Error(`the floor failed during the ${era} per-call bench`);
      t = performance.now();
      await o.direct();
      const d = performance.now() - t;
      if (i < o.warmup) continue;
      viaServer.push(s);
      viaFloor.push(fl);
      direct.push(d);
    }
    const aboveFloor = round(median(viaServer) - median(viaFloor), 3);
    return {
      era,
      client:
        era === "2025-11-25"
          ? "@modelcontextprotocol/sdk 1.32 Client"
          : "@modelcontextprotocol/client 2.4 Client pinned to 2026-07-28",
      calls: o.calls,
      warmupCalls: o.warmup,
      serverMedian: round(median(viaServer), 3),
      floorMedian: round(median(viaFloor), 3),
      directMedian: round(median(direct), 3),
      overheadMedian: round(median(viaServer) - median(direct), 3),
      floorOverheadMedian: round(median(viaFloor) - median(direct), 3),
      overheadP99: round(percentile(viaServer, 99) - percentile(direct, 99), 3),
      aboveFloor,
      target: `<= the SDK floor + ${ABOVE_FLOOR_MS} ms (median)`,
      met: aboveFloor <= ABOVE_FLOOR_MS,
    };
  } finally {
    await server.close();
    await floor.close();
  }
}

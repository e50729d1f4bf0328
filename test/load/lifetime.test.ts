// 10,000 sequential calls in one process, failures mixed in: no growth in open handles or timers, memory growth reported.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { connectBackend } from "../../src/isc/connect.js";
import { resolveConfig } from "../../src/config/resolve.js";
import { createInFlight } from "../../src/core/in-flight.js";
import { createLogger } from "../../src/core/log.js";
import { createSandbox } from "../../src/sandbox/index.js";
import { createServer } from "../../src/mcp/server.js";
import { inventoryFor } from "../support/inventory.js";
import { textOf } from "../support/harness.js";

/** The server as `serve` wires it (in-flight tracking included), behind an in-memory MCP client. */
async function start() {
  const config = {
    ...resolveConfig(["--sandbox", "--api-version", "v2025", "--rate-limit", "0", "--request-timeout", "1000"], {})
      .config,
    logLevel: "silent" as const,
  };
  const sandbox = createSandbox({ identities: 100, rateLimit: false });
  const backend = await connectBackend(config, { sandbox });
  const server = createServer({
    config: backend.config,
    isc: backend.isc,
    log: createLogger("silent"),
    inFlight: createInFlight(),
    inventory: inventoryFor(backend.config),
  });
  const client = new Client({ name: "lifetime", version: "1.0.0" });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(b), client.connect(a)]);
  return {
    sandbox,
    backend,
    call: async (name: string, args: Record<string, unknown>) =>
      (await client.callTool({ name, arguments: args })) as CallToolResult,
    close: async () => {
      await client.close();
      await server.close();
      await backend.close();
    },
  };
}

/** Open handles by type (sockets, timers, ...), as Node counts the ones that keep a process alive. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}
const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
/** Lets sockets and timers of finished calls close, and collects garbage, so counts compare like with like. */
const settle = async () => {
  await new Promise((r) => setTimeout(r, 300));
  gc();
};

describe("lifetime", () => {
  it("10,000 sequential calls leave no more handles open than 500 did", async () => {
    const h = await start();
    try {
      const ids = [...h.sandbox.state.identities.keys()];
      const call = async (i: number) => {
        // Every 50th call fails on a 404, every 1000th times out: failure paths must not leak either.
        // The timeout is 1 s, not less: on a loaded machine an ordinary request (the token one too) can take 100 ms.
        if (i % 1_000 === 500) h.sandbox.inject({ path: /^\/v2025\//, delayMs: 5_000 });
        const identityId = i % 50 === 49 ? "0".repeat(32) : ids[i % ids.length]!;
        const res = await h.call(
          i % 10 === 0 ? "list_identities" : "get_identity",
          i % 10 === 0 ? { limit: 3, offset: i % 90 } : { identityId },
        );
        if (i % 1_000 === 500) expect(textOf(res)).toMatch(/within 1 s \(the request timeout, --request-timeout\)/);
        else if (i % 50 === 49) expect(textOf(res)).toMatch(/HTTP 404/);
        else expect(res.isError, textOf(res)).toBeFalsy();
      };
      for (let i = 0; i < 500; i++) await call(i);
      await settle();
      const before = handles();
      const heapBefore = process.memoryUsage().heapUsed;
      const started = Date.now();
      const checkpoints: Array<{ calls: number; handles: Record<string, number>; heapMb: number }> = [];
      for (let i = 500; i < 10_000; i++) {
        await call(i);
        h.sandbox.clearRequests();
        if ((i + 1) % 2_500 === 0) {
          await settle();
          checkpoints.push({
            calls: i + 1,
            handles: handles(),
            heapMb: Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e5) / 10,
          });
        }
      }
      const ms = (Date.now() - started) / 9_500;
      console.log(
        `10,000 calls, ${ms.toFixed(2)} ms/call; handles after 500: ${JSON.stringify(before)}; heap growth (MB) and handles at checkpoints: ${JSON.stringify(checkpoints)}`,
      );
      // Keep-alive connections come and go (one pair more or less); anything that grows with the number of calls fails.
      for (const c of checkpoints) {
        expect(total(c.handles), `after ${c.calls} calls`).toBeLessThanOrEqual(total(before) + 2);
        expect(c.handles.Timeout ?? 0, `timers after ${c.calls} calls`).toBeLessThanOrEqual(before.Timeout ?? 0);
      }
      // Generous: the heap after garbage collection does not grow by more than a few KB per call.
      expect(checkpoints.at(-1)!.heapMb).toBeLessThan(25);
      expect(h.backend.isc.tokens.fetchCount).toBe(1);
    } finally {
      await h.close();
    }
  }, 240_000);
});

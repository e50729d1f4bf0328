// Two replicas on one real Redis: a page answered on replica A wakes the call waiting on replica B by Redis pub/sub, not by polling (B's ticks set to 10 minutes, its store reads counted).
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";
import { createLogger } from "../../src/core/log.js";
import { connectRedis, type RedisLink } from "../../src/isc/redis.js";
import { createAuditLog } from "../../src/guard/audit.js";
import { createRedisStore } from "../../src/guard/store-redis.js";
import type { GuardStore } from "../../src/guard/store.js";
import { createSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { textOf } from "../support/confirm-e2e.js";
import { HTTP_URL_PAGES } from "../support/confirm-steps.js";
import { writeRequests } from "../support/guard-helpers.js";
import { MODERN } from "../support/modern-cli.js";
import { startPagedHttp } from "../support/paged-http.js";
import { answer } from "../support/page-fixtures.js";
import { describeWithRedis, startRedisServer, type RedisServer } from "../support/redis-server.js";
import { untilTracking } from "../support/replica.js";

const TEN_MINUTES = 600_000;

interface Replica {
  url: string;
  origin: string;
  link: RedisLink;
  /** Page ids this replica's store was asked about by id (a waiting call's reads), in order. */
  readsById: string[];
  /** Its audit lines. */
  audit: string[];
  close(): Promise<void>;
}

/** One replica: its own Redis connection, store, pages, guard and HTTP listener; the tenant is shared. */
async function replica(redisUrl: string, sandbox: Sandbox): Promise<Replica> {
  // Explicit confirm mode; a wait longer than the test, so only the answer can end it.
  const { config } = resolveConfig(
    ["--sandbox", ...HTTP_URL_PAGES, "--confirm-wait", "600", "--call-timeout", "700000"],
    {},
  );
  const log = createLogger("silent");
  const link = await connectRedis({ url: redisUrl, log });
  const redisStore = createRedisStore(link);
  const readsById: string[] = [];
  const audit: string[] = [];
  const store: GuardStore = {
    ...redisStore,
    findPending: (by, now) => {
      if ("id" in by) readsById.push(by.id);
      return redisStore.findPending(by, now);
    },
  };
  // Ticks of 10 minutes: a waiting call reads the store when it starts and when it is woken, and that is all.
  const { serving, close } = await startPagedHttp(config, sandbox, {
    store,
    audit: createAuditLog({ write: (l) => void audit.push(l) }),
    pages: { tickMs: TEN_MINUTES },
    // As the CLI does: /healthz reports the link, and says from when this replica tracks confirmations.
    http: () => ({ redis: link }),
  });
  return {
    url: serving.url,
    origin: new URL(serving.url).origin,
    link,
    readsById,
    audit,
    close: async () => {
      await close();
      await link.close();
    },
  };
}

describeWithRedis("a page answered on another replica", () => {
  let redis: RedisServer;
  let sandbox: Sandbox;
  let a: Replica;
  let b: Replica;
  const clients: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    redis = await startRedisServer();
    sandbox = createSandbox({ rateLimit: false, identities: 20 });
    [a, b] = await Promise.all([replica(redis.url, sandbox), replica(redis.url, sandbox)]);
    // A confirmation's requestState is spent in Redis like a code: one issued within the clock-skew margin after Redis
    // started is refused as untracked (it could predate a restart), so the flow starts past it.
    await untilTracking(a, b);
  }, 30_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
  });

  // 2025: sdk 1.32 on a session to B; 2026: the v2 client pinned to 2026-07-28, whose retry round waits on B.
  it.each([
    ["2025", 0],
    ["2026", 2],
  ] as const)(
    "wakes the call waiting on B at once, with no read of B's store in between (%s client)",
    async (era, at) => {
      const pages: string[] = [];
      const open = (params: unknown) => {
        pages.push(String((params as { url?: string }).url));
        return { action: "accept" as const };
      };
      let callTool: (name: string, args: Record<string, unknown>) => Promise<CallToolResult>;
      if (era === "2026") {
        const c = new ModernClient(
          { name: "wake-test", version: "2.0.0" },
          { capabilities: { elicitation: { url: {} } }, versionNegotiation: { mode: { pin: MODERN } } },
        );
        c.setRequestHandler("elicitation/create", async (req) => open(req.params) as never);
        await c.connect(new ModernTransport(new URL(b.url)));
        clients.push(c);
        callTool = async (name, args) =>
          (await c.callTool({ name, arguments: args }, { timeout: 120_000 } as never)) as CallToolResult;
      } else {
        const c = new Client({ name: "wake-test", version: "1.0.0" }, { capabilities: { elicitation: { url: {} } } });
        c.setRequestHandler(ElicitRequestSchema, async (req) => open(req.params));
        await c.connect(new StreamableHTTPClientTransport(new URL(b.url)));
        clients.push(c);
        callTool = async (name, args) =>
          (await c.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as CallToolResult;
      }
      const [first, second] = [...sandbox.state.identities.keys()].slice(at, at + 2) as [string, string];

      /** reset_identity through B, confirmed on A once B's call waits; how often B read the page's state before that. */
      const confirmOnA = async (id: string, pause: number) => {
        // No progress token: a client that asked for progress would get ticks (and reads) every tickMs.
        const call = callTool("reset_identity", { identityId: id });
        const shown = pages.length + 1;
        await expect.poll(() => pages.length, { timeout: 15_000 }).toBe(shown);
        const pageId = new URL(pages.at(-1)!).pathname.split("/").at(-1)!;
        const reads = () => b.readsById.filter((r) => r === pageId).length;
        await expect.poll(reads, { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
        // Time in which a poll every few hundred ms would have read B's store again.
        await new Promise((r) => setTimeout(r, pause));
        const before = reads();
        // The human answers on A (as a load balancer may send them there): the page lives in Redis.
        const onA = `${a.origin}${new URL(pages.at(-1)!).pathname}`;
        expect((await answer(onA, { answer: "confirm", name: sandbox.state.identities.get(id)!.name })).status).toBe(
          200,
        );
        const result = await call;
        expect(result.isError, textOf(result)).toBeFalsy();
        expect(textOf(result)).toContain("was reset");
        expect(writeRequests(sandbox).filter((r) => r.path.includes(id) && r.path.endsWith("/reset"))).toHaveLength(1);
        return { before, after: reads() };
      };

      // The first confirmation also makes B listen on Redis (once listening, every waiting call reads once more, in case
      // an answer came before): from the second on, nothing but the answer wakes a waiting call.
      await confirmOnA(first, 0);
      const { before, after } = await confirmOnA(second, 1_500);
      expect(before).toBe(1);
      // After the wake: the waiting call's read, and the check that its page no longer counts as open.
      expect(after).toBeLessThanOrEqual(3);
      const resets = b.audit
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.tool === "reset_identity");
      expect(resets.slice(-2)).toEqual(
        [first, second].map((id) =>
          expect.objectContaining({
            targetIds: [id],
            outcome: "executed",
            era: era === "2025" ? "2025-11-25" : MODERN,
          }),
        ),
      );
    },
    60_000,
  );
});

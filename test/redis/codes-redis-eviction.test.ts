// A replica on a Redis that may evict keys: a confirmation code is refused through the real server in both eras, saying why and who fixes it.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { auditLinesOf } from "../support/cli-eras.js";
import { serveTenant, type ServedTenant } from "../support/cli-process.js";
import { deletable, textOf } from "../support/confirm-e2e.js";
import { describeWithRedis, startRedisServer, type RedisServer } from "../support/redis-server.js";
import { REPLICA_ERAS, startReplica, type Replica } from "../support/replica.js";

const codeOf = (r: CallToolResult) => (r.structuredContent as { confirmationCode: string }).confirmationCode;

describeWithRedis("confirmation codes on a Redis with maxmemory-policy allkeys-lru", () => {
  let redis: RedisServer;
  let tenant: ServedTenant;
  let replica: Replica;
  let ids: string[];
  // One Redis and one replica for both eras: the refusal is the store's, whichever client asks.
  beforeAll(async () => {
    [redis, tenant] = await Promise.all([
      startRedisServer({ args: ["--maxmemory-policy", "allkeys-lru"] }),
      serveTenant({ identities: 20 }),
    ]);
    ids = deletable(tenant.sandbox.state, REPLICA_ERAS.length);
    const env = {
      baseUrl: tenant.served.url,
      clientId: tenant.sandbox.clientId,
      clientSecret: tenant.sandbox.clientSecret,
    };
    replica = await startReplica(env, ["--redis-url", redis.url, "--confirm", "auto", "--rate-limit", "0"]);
  }, 30_000);
  afterAll(async () => {
    await replica?.stop();
    await Promise.all([tenant?.served.close(), redis?.stop()]);
  });

  it.each(REPLICA_ERAS.map((e, i) => ({ ...e, i })))(
    "$label: warns once at start, refuses the code with the cause and the fix, and resets nothing",
    async ({ era, call, i }) => {
      const id = ids[i]!;
      const issued = await call(replica, "reset_identity", { identityId: id });
      expect(issued.structuredContent, textOf(issued)).toMatchObject({ status: "confirmation_required" });
      const code = codeOf(issued);
      const refused = await call(replica, "reset_identity", { identityId: id, confirmationCode: code });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toMatch(/^reset_identity refused: nothing was changed\./);
      expect(textOf(refused)).toContain(
        "Why: the confirmation code cannot be tracked: this server's Redis may evict keys (maxmemory-policy allkeys-lru), so a spent code could be forgotten and act twice; whoever runs the server should set maxmemory-policy noeviction.\nNext step: Tell whoever runs this server; until it is fixed no confirmation code is accepted here, so do not ask for a new one.",
      );
      // The audit line goes to stderr, the result to stdout: the line may arrive a moment after the result.
      const lines = () =>
        auditLinesOf(replica.cli.stderr()).filter((l) => l.tool === "reset_identity" && l.targetIds.includes(id));
      await vi.waitFor(() => expect(lines().filter((l) => l.reason === "code-untracked")).toHaveLength(1), {
        timeout: 10_000,
      });
      expect(lines().filter((l) => l.reason === "code-untracked")[0]).toMatchObject({ era, outcome: "refused" });
      // Both calls of this case (the issue and the refused spend) came in this era.
      for (const l of lines()) expect(l.era).toBe(era);
      expect(
        replica.cli.stderr().match(/has maxmemory-policy allkeys-lru: under memory pressure it may evict keys/g),
      ).toHaveLength(1);
      expect(replica.cli.stderr()).not.toContain(code);
      expect(
        tenant.sandbox.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/identities/${id}/reset`)),
      ).toHaveLength(0);
    },
  );
});

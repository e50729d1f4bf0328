// Replicas sharing a Redis that restarts empty: a code spent before the restart is not spent again after it, on any replica, in either era.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { auditLinesOf } from "../support/cli-eras.js";
import type { ServedTenant } from "../support/cli-process.js";
import { deletable, textOf } from "../support/confirm-e2e.js";
import { describeWithRedis, type RedisServer } from "../support/redis-server.js";
import {
  REPLICA_ERAS,
  startRedisAndTenant,
  startReplica,
  type Replica,
  type TenantEnv,
  untilTracking,
} from "../support/replica.js";

const SEND = "send_identity_verification_account_token";
const codeOf = (r: CallToolResult) => (r.structuredContent as { confirmationCode: string }).confirmationCode;
const BACK = /is reachable again: shared state resumed/g;

describeWithRedis("a Redis restart and spent codes", () => {
  let redis: RedisServer;
  let tenant: ServedTenant;
  let a: Replica;
  let b: Replica;
  let ids: string[];
  // One Redis and two replicas for both eras (each era's first case restarts that Redis once).
  beforeAll(async () => {
    let env: TenantEnv;
    ({ redis, tenant, env } = await startRedisAndTenant());
    ids = deletable(tenant.sandbox.state, 2 * REPLICA_ERAS.length);
    [a, b] = (await Promise.all(
      [1, 2].map(() => startReplica(env, ["--redis-url", redis.url, "--confirm", "auto", "--rate-limit", "0"])),
    )) as [Replica, Replica];
  }, 30_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([tenant?.served.close(), redis?.stop()]);
  });

  /** How many times the replica logged that it reached Redis again after an outage. */
  const comebacks = (replica: Replica) => replica.cli.stderr().match(BACK)?.length ?? 0;
  /** Until the replica logged its next comeback (its readiness alone could still be the old connection's). */
  const back = async (replica: Replica, before: number) => {
    while (comebacks(replica) <= before) await new Promise((r) => setTimeout(r, 50));
  };
  /** The audit lines a replica wrote for `tool` on `id`. */
  const linesOf = (replica: Replica, tool: string, id: string) =>
    auditLinesOf(replica.cli.stderr()).filter((l) => l.tool === tool && l.targetIds.includes(id));

  describe.each(REPLICA_ERAS.map((e, i) => ({ ...e, i })))("$label", ({ era, call, i }) => {
    // The password-reset email: a write that leaves the identity as it was, so nothing but the spent code stands between a replay and a second email.
    it("replica A spends a code, Redis restarts empty, replica B is refused the same code: one email sent, not two", async () => {
      const id = ids[2 * i]!;
      const args = { identityId: id, via: "EMAIL_WORK" };
      const sends = () =>
        tenant.sandbox.requests.filter(
          (r) => r.method === "POST" && r.path.endsWith(`/identities/${id}/verification/account/send`),
        );
      // Issued past the clock-skew margin after Redis started, so only the restart can make it untracked.
      await untilTracking(a, b);
      const code = codeOf(await call(a, SEND, args));
      const done = await call(a, SEND, { ...args, confirmationCode: code });
      expect(done.isError, textOf(done)).toBeFalsy();
      expect(sends()).toHaveLength(1);
      // At once, as in the measurement that found it (90-400 ms after the spend): the record of the spend is gone.
      const before = [comebacks(a), comebacks(b)] as const;
      await redis.stop();
      await redis.start();
      await Promise.all([back(a, before[0]), back(b, before[1])]);

      for (const replica of [b, a]) {
        const replay = await call(replica, SEND, { ...args, confirmationCode: code });
        expect(replay.isError).toBe(true);
        expect(textOf(replay)).toMatch(new RegExp(`^${SEND} refused: nothing was changed\\.`));
        expect(textOf(replay)).toContain(
          "Why: the confirmation code was issued before this server (re)started or by another server process (or, with Redis, before Redis last restarted or was out of reach), so whether it was already used cannot be known.",
        );
        // The audit line goes to stderr, the result to stdout: the line may arrive a moment after the result.
        const untracked = () => linesOf(replica, SEND, id).filter((l) => l.reason === "code-untracked");
        await vi.waitFor(() => expect(untracked()).toHaveLength(1), { timeout: 10_000 });
        expect(untracked()[0]).toMatchObject({ era, outcome: "refused" });
      }
      await vi.waitFor(() => expect(linesOf(a, SEND, id).filter((l) => l.outcome === "executed")).toHaveLength(1), {
        timeout: 10_000,
      });
      for (const l of [...linesOf(a, SEND, id), ...linesOf(b, SEND, id)]) expect(l.era).toBe(era);
      expect(sends()).toHaveLength(1);
      expect(tenant.sandbox.state.verificationSends.filter((s) => s.identityId === id)).toHaveLength(1);
    }, 30_000);

    it("codes issued after the restart (past the clock-skew margin) are shared again: issued by B, spent at A once", async () => {
      const id = ids[2 * i + 1]!;
      // Within the margin a code could be one a replica with a fast clock issued before the restart: refused.
      // Each replica dates Redis from its own reconnect, which may come a moment after Redis's start: once both say the
      // margin has passed for them, one code issued by B acts once at A.
      await untilTracking(a, b);
      const code = codeOf(await call(b, "reset_identity", { identityId: id }));
      const done = await call(a, "reset_identity", { identityId: id, confirmationCode: code });
      expect(done.structuredContent, textOf(done)).toMatchObject({ status: "executed" });
      const again = await call(b, "reset_identity", { identityId: id, confirmationCode: code });
      expect(textOf(again)).toMatch(/already used; each code works once/);
      expect(
        tenant.sandbox.requests.filter((r) => r.method === "POST" && r.path.endsWith(`/identities/${id}/reset`)),
      ).toHaveLength(1);
      await vi.waitFor(
        () => expect(linesOf(b, "reset_identity", id).filter((l) => l.reason === "code-used")).toHaveLength(1),
        { timeout: 10_000 },
      );
      expect(linesOf(a, "reset_identity", id).filter((l) => l.outcome === "executed")).toHaveLength(1);
      for (const l of [...linesOf(a, "reset_identity", id), ...linesOf(b, "reset_identity", id)])
        expect(l.era).toBe(era);
    }, 30_000);
  });
});

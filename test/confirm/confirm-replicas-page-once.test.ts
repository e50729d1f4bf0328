// Two replicas on one real Redis: one page answer, the same 2026-07-28 retry round presented to both, or two fresh calls
// waiting on the page through each, exactly one delete; wrong names typed through either count toward one limit of five.
import type { Client as ModernClient } from "@modelcontextprotocol/client";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { MAX_WRONG_NAMES } from "../../src/guard/page/handler.js";
import type { ServedTenant } from "../support/cli-process.js";
import { deletable } from "../support/confirm-e2e.js";
import { writeRequests, type AuditLine } from "../support/guard-helpers.js";
import { auditLinesOf } from "../support/cli-eras.js";
import { MODERN } from "../support/modern-harness.js";
import { answer } from "../support/page-fixtures.js";
import { describeWithRedis, type RedisServer } from "../support/redis-server.js";
import {
  roundsOn,
  roundText,
  startRedisAndTenant,
  startReplica,
  type RawRound,
  type Replica,
  type TenantEnv,
  untilTracking,
} from "../support/replica.js";
import { until } from "../support/until.js";

const REPLAYED = /^delete_identity refused: nothing was changed[\s\S]*already used; each one is taken once/;

/** The delete_identity audit lines a replica wrote to its stderr. */
const auditOf = (r: Replica): AuditLine[] => auditLinesOf(r.cli.stderr()).filter((l) => l.tool === "delete_identity");

describeWithRedis("a page answer presented to two replicas", () => {
  let redis: RedisServer;
  let tenant: ServedTenant;
  let a: Replica;
  let b: Replica;
  const clients: ModernClient[] = [];
  beforeAll(async () => {
    let env: TenantEnv;
    ({ redis, tenant, env } = await startRedisAndTenant());
    // Stateless replicas as deployment.md runs them: the same ISC_MCP_CONFIRM_KEY (startReplica), one Redis.
    const args = [
      "--redis-url",
      redis.url,
      "--confirm",
      "strict",
      "--confirm-via",
      "url",
      "--confirm-wait",
      "60",
      "--rate-limit",
      "0",
    ];
    [a, b] = (await Promise.all([startReplica(env, args), startReplica(env, args)])) as [Replica, Replica];
    // A requestState is spent in Redis: one issued within the clock-skew margin after Redis started (as each replica
    // dates it) is refused as untracked (it could predate a restart), so the flows start past it.
    await untilTracking(a, b);
  }, 30_000);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([tenant?.served.close(), redis?.stop()]);
  });

  /** A 2026-07-28 client declaring URL elicitation on `replica`; its rounds are driven by hand. */
  const on = (replica: Replica, onprogress?: (p: { message?: string }) => void) =>
    roundsOn(replica, "replicas-page-once", { elicitation: { url: {} } }, clients, onprogress);

  /** Round 1 on `replica`: the page as an input request; the retry round that says the client opened it. */
  const askOn = async (replica: Replica, id: string) => {
    const first = await (await on(replica))({ name: "delete_identity", arguments: { identityId: id } });
    expect(first.resultType).toBe("input_required");
    const [key, ask] = Object.entries(first.inputRequests ?? {})[0]!;
    expect(ask.params?.mode).toBe("url");
    expect(typeof first.requestState).toBe("string");
    const page = new URL(ask.params!.url!);
    return {
      page,
      retry: {
        name: "delete_identity",
        arguments: { identityId: id },
        requestState: first.requestState,
        inputResponses: { [key]: { action: "accept" } },
      },
    };
  };

  it("answered on the page, the retry round sent to A deletes once; the same round replayed to B is refused", async () => {
    const [id] = deletable(tenant.sandbox.state, 1) as [string];
    const name = tenant.sandbox.state.identities.get(id)!.name;
    tenant.sandbox.clearRequests();
    const { page, retry } = await askOn(a, id);
    // The human confirms on the page A showed, reached through B (a load balancer may send them there).
    expect((await answer(`${b.origin}${page.pathname}`, { answer: "confirm", name })).status).toBe(200);

    const done = await (await on(a))(retry);
    expect(done.isError, roundText(done)).toBeFalsy();
    expect(roundText(done)).toContain("was deleted");
    expect(tenant.sandbox.state.deleted).toEqual([id]);

    const replay = await (await on(b))(retry);
    expect(replay.resultType).toBeUndefined();
    expect(replay.isError).toBe(true);
    expect(roundText(replay)).toMatch(REPLAYED);

    expect(writeRequests(tenant.sandbox)).toEqual([{ method: "DELETE", path: `/v2025/identities/${id}`, body: "" }]);
    expect(auditOf(a).at(-1)).toMatchObject({ era: MODERN, outcome: "executed", confirmation: "url" });
    expect(auditOf(b).at(-1)).toMatchObject({ era: MODERN, outcome: "refused", reason: "state-replayed" });
  }, 60_000);

  it("the same retry round sent to A and B at once: one waits on the page and deletes, the other is refused", async () => {
    const [, id] = deletable(tenant.sandbox.state, 2) as [string, string];
    const name = tenant.sandbox.state.identities.get(id)!.name;
    tenant.sandbox.clearRequests();
    const { page, retry } = await askOn(b, id);
    const [onA, onB] = await Promise.all([on(a), on(b)]);
    const settled: RawRound[] = [];
    const rounds = [onA(retry), onB(retry)].map((p) => p.then((r) => (settled.push(r), r)));
    // A failed assertion below closes the clients under a waiting round: reported as that failure, not as an unhandled one.
    for (const round of rounds) round.catch(() => {});
    // Before anyone answered the page: the round that did not spend the state is refused at once, the other waits.
    await until(() => settled.length > 0, "one of the two rounds to be refused");
    expect(settled).toHaveLength(1);
    expect(roundText(settled[0]!)).toMatch(REPLAYED);
    expect(writeRequests(tenant.sandbox)).toEqual([]);

    // The human confirms on the page (through A, whichever replica waits on it).
    expect((await answer(`${a.origin}${page.pathname}`, { answer: "confirm", name })).status).toBe(200);
    const [fromA, fromB] = await Promise.all(rounds);
    const results = [fromA!, fromB!];
    expect(results.filter((r) => !r.isError && roundText(r).includes("was deleted"))).toHaveLength(1);
    expect(results.filter((r) => r.isError && REPLAYED.test(roundText(r)))).toHaveLength(1);
    expect(tenant.sandbox.state.deleted).toContain(id);
    expect(writeRequests(tenant.sandbox)).toEqual([{ method: "DELETE", path: `/v2025/identities/${id}`, body: "" }]);

    // One audit line each for this identity: executed on one replica, refused as a replay on the other.
    const lines = [...auditOf(a), ...auditOf(b)].filter((l) => l.targetIds.includes(id));
    expect(lines.map((l) => [l.outcome, l.reason ?? ""]).sort()).toEqual([
      ["executed", ""],
      ["refused", "state-replayed"],
    ]);
  }, 60_000);

  it("two fresh calls (no requestState) waiting on the same page through A and B: the page's one-time take lets one delete", async () => {
    const [, , , id] = deletable(tenant.sandbox.state, 4) as [string, string, string, string];
    const name = tenant.sandbox.state.identities.get(id)!.name;
    tenant.sandbox.clearRequests();
    const { page } = await askOn(a, id);
    // The same tool and arguments again, with no state: each call finds the open page by its binding and waits on it,
    // so no spent requestState can refuse either; only the page's own take decides which one acts.
    const waiting: [string[], string[]] = [[], []];
    const [onA, onB] = await Promise.all(
      [a, b].map((replica, i) => on(replica, (p) => void waiting[i]!.push(p.message ?? ""))),
    );
    const calls = [onA!, onB!].map((call) => call({ name: "delete_identity", arguments: { identityId: id } }));
    for (const call of calls) call.catch(() => {});
    for (const [i, seen] of waiting.entries())
      await until(
        () => seen.some((m) => m.startsWith("Waiting for the user to answer the confirmation page")),
        `the call through ${i ? "B" : "A"} to wait on the page`,
      );
    expect(writeRequests(tenant.sandbox)).toEqual([]);

    expect((await answer(`${b.origin}${page.pathname}`, { answer: "confirm", name })).status).toBe(200);
    const results = await Promise.all(calls);
    expect(results.map((r) => r.resultType)).toEqual([undefined, undefined]);
    const done = results.filter((r) => !r.isError);
    expect(done.map(roundText)).toEqual([`Identity "${name}" (id ${id}) was deleted.`]);
    const other = results.find((r) => r.isError)!;
    expect(roundText(other)).toMatch(
      /^delete_identity refused: nothing was changed[\s\S]*another call of this tool with the same arguments already used the user's answer/,
    );
    expect(writeRequests(tenant.sandbox)).toEqual([{ method: "DELETE", path: `/v2025/identities/${id}`, body: "" }]);

    // One audit line per call for this identity: executed through one replica, refused as "cancelled" through the other.
    const lines = [...auditOf(a), ...auditOf(b)].filter((l) => l.targetIds.includes(id));
    expect(lines.map((l) => [l.outcome, l.reason ?? "", l.confirmation, l.era]).sort()).toEqual([
      ["executed", "", "url", MODERN],
      ["refused", "cancelled", "url", MODERN],
    ]);
  }, 60_000);

  it("the fifth wrong name in total cancels the page, and the delete never reaches the tenant", async () => {
    const [, , id] = deletable(tenant.sandbox.state, 3) as [string, string, string];
    const name = tenant.sandbox.state.identities.get(id)!.name;
    tenant.sandbox.clearRequests();
    const first = await (await on(a))({ name: "delete_identity", arguments: { identityId: id } });
    expect(first.resultType).toBe("input_required");
    const [key, ask] = Object.entries(first.inputRequests ?? {})[0]!;
    expect(ask.params?.mode).toBe("url");
    const { pathname } = new URL(ask.params!.url!);

    // Wrong names alternately through A and B (a load balancer may send each post anywhere): one count for the page.
    const via = [a, b];
    for (let i = 1; i < MAX_WRONG_NAMES; i++) {
      const wrong = await answer(`${via[i % 2]!.origin}${pathname}`, { answer: "confirm", name: "Not The Name" });
      expect(wrong.status).toBe(422);
      expect(wrong.body).toContain(`try ${MAX_WRONG_NAMES - i} more time`);
    }
    const last = await answer(`${via[MAX_WRONG_NAMES % 2]!.origin}${pathname}`, {
      answer: "confirm",
      name: "Still Not It",
    });
    expect(last.status).toBe(422);
    expect(last.body).toContain(`typed wrong ${MAX_WRONG_NAMES} times, so this confirmation was cancelled`);
    // The right name, now, on either replica: the confirmation is over.
    for (const replica of via) {
      const late = await answer(`${replica.origin}${pathname}`, { answer: "confirm", name });
      expect(late.status).toBe(409);
      expect(late.body).toContain("already answered: cancelled");
    }

    const retry = await (
      await on(a)
    )({
      name: "delete_identity",
      arguments: { identityId: id },
      requestState: first.requestState,
      inputResponses: { [key]: { action: "accept" } },
    });
    expect(retry.isError).toBe(true);
    expect(roundText(retry)).toMatch(/^delete_identity refused: nothing was changed/);
    expect(roundText(retry)).toContain(`typed wrong ${MAX_WRONG_NAMES} times`);
    expect(tenant.sandbox.state.deleted).not.toContain(id);
    expect(writeRequests(tenant.sandbox)).toEqual([]);
  }, 60_000);
});

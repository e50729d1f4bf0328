// Three --stateless replicas (real processes), one tenant, one real Redis: a confirmation code works once across all of them, and so do cooldowns and windows.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ServedTenant } from "../support/cli-process.js";
import { describeWithRedis, type RedisServer } from "../support/redis-server.js";
import { startRedisAndTenant, startReplica, type Replica, type TenantEnv, untilTracking } from "../support/replica.js";
import { until } from "../support/until.js";

const text = (r: CallToolResult) => (r.content[0]?.type === "text" ? r.content[0].text : "");
const codeOf = (r: CallToolResult) => (r.structuredContent as { confirmationCode?: string }).confirmationCode!;
const statusOf = (r: CallToolResult) => (r.structuredContent as { status?: string } | undefined)?.status;

describeWithRedis("replicas sharing one Redis", () => {
  let redis: RedisServer;
  let tenant: ServedTenant;
  let env: TenantEnv;
  let replicas: Replica[] = [];
  const args = () => ["--redis-url", redis.url, "--rate-limit", "0", "--confirm", "auto"];
  const writes = (path: RegExp) =>
    tenant.sandbox.requests.filter((r) => r.method !== "GET" && path.test(r.path) && r.status > 0 && r.status < 300);
  let ids: string[];

  beforeAll(async () => {
    ({ redis, tenant, env } = await startRedisAndTenant(80));
    replicas = await Promise.all([1, 2, 3].map(() => startReplica(env, args())));
    // Codes issued within the clock-skew margin after Redis started are refused (they could predate a restart).
    await untilTracking(...replicas);
    // Plain identities only (active, correlated, unprotected, owning nothing): nothing blocks a write to them.
    const state = tenant.sandbox.state;
    ids = [...state.identities.values()]
      .filter(
        (i) =>
          i.identityStatus === "ACTIVE" &&
          state.flags.get(i.id)?.correlated === true &&
          state.flags.get(i.id)?.protected !== true &&
          (state.ownership.get(i.id)?.length ?? 0) === 0,
      )
      .map((i) => i.id);
    expect(ids.length).toBeGreaterThanOrEqual(22);
  }, 40_000);
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await Promise.all([tenant?.served.close(), redis?.stop()]);
    for (const r of replicas) expect(r.cli.stderr()).not.toMatch(/unhandled|UnhandledPromiseRejection/i);
  });

  let spentCode = "";
  let spentId = "";

  it("a code issued by replica A is redeemed at B (ISC sees one write) and refused at C", async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    const id = (spentId = ids[0]!);
    const reset = new RegExp(`/identities/${id}/reset$`);
    const issued = await a.call("reset_identity", { identityId: id });
    expect(statusOf(issued)).toBe("confirmation_required");
    spentCode = codeOf(issued);
    const done = await b.call("reset_identity", { identityId: id, confirmationCode: spentCode });
    expect(statusOf(done), text(done)).toBe("executed");
    const again = await c.call("reset_identity", { identityId: id, confirmationCode: spentCode });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/already (been )?used/i);
    expect(writes(reset)).toHaveLength(1);
  });

  it("a 2026-07-28 client (no session in its era): a code issued by replica B is redeemed at C (one write) and refused at A", async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    const id = ids[5]!;
    const reset = new RegExp(`/identities/${id}/reset$`);
    const issued = await b.callModern("reset_identity", { identityId: id });
    expect(statusOf(issued)).toBe("confirmation_required");
    const code = codeOf(issued);
    expect(writes(reset)).toHaveLength(0);
    const done = await c.callModern("reset_identity", { identityId: id, confirmationCode: code });
    expect(statusOf(done), text(done)).toBe("executed");
    const again = await a.callModern("reset_identity", { identityId: id, confirmationCode: code });
    expect(again.isError).toBe(true);
    expect(text(again)).toMatch(/already (been )?used/i);
    expect(writes(reset)).toHaveLength(1);
  });

  it("20 concurrent redemptions of one code spread over the replicas: exactly one acts", async () => {
    const id = ids[1]!;
    const code = codeOf(await replicas[0]!.call("reset_identity", { identityId: id }));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        replicas[i % 3]!.call("reset_identity", { identityId: id, confirmationCode: code }),
      ),
    );
    expect(results.filter((r) => statusOf(r) === "executed")).toHaveLength(1);
    expect(results.filter((r) => r.isError)).toHaveLength(19);
    expect(writes(new RegExp(`/identities/${id}/reset$`))).toHaveLength(1);
  }, 30_000);

  it("a restarted replica still refuses a spent code", async () => {
    await replicas[1]!.stop();
    replicas[1] = await startReplica(env, args());
    const replay = await replicas[1].call("reset_identity", { identityId: spentId, confirmationCode: spentCode });
    expect(replay.isError).toBe(true);
    expect(text(replay)).toMatch(/already (been )?used/i);
    expect(writes(new RegExp(`/identities/${spentId}/reset$`))).toHaveLength(1);
  }, 30_000);

  it("the sync cooldown holds across replicas: the second replica does not call ISC", async () => {
    const id = ids[2]!;
    const first = await replicas[0]!.call("synchronize_attributes_for_identity", { identityId: id });
    expect(first.isError, text(first)).toBeFalsy();
    const second = await replicas[2]!.call("synchronize_attributes_for_identity", { identityId: id });
    expect(second.isError).toBe(true);
    expect(text(second)).toMatch(/once per 10 s per identity.*Retry after \d+ s/s);
    expect(writes(new RegExp(`/identities/${id}/synchronize-attributes$`))).toHaveLength(1);
  });

  it("the mass-action window adds up across replicas: the batch that crosses the threshold needs confirmation", async () => {
    const process = (r: Replica, batch: string[]) => r.call("start_identity_processing", { identityIds: batch });
    const first = await process(replicas[0]!, ids.slice(10, 16));
    expect(statusOf(first), text(first)).toBe("executed");
    // 6 + 6 > 10 (the default --confirm-threshold) within the window, though each batch alone is under it.
    const second = await process(replicas[1]!, ids.slice(16, 22));
    expect(statusOf(second), text(second)).toBe("confirmation_required");
    expect(writes(/\/identities\/process$/)).toHaveLength(1);
  });

  it("with Redis stopped mid-run, guarded writes refuse cleanly and reads go on; once it is back a new confirmation works", async () => {
    const id = ids[3]!;
    const reset = new RegExp(`/identities/${id}/reset$`);
    const code = codeOf(await replicas[0]!.call("reset_identity", { identityId: id }));
    await redis.stop();
    const refused = await replicas[1]!.call("reset_identity", { identityId: id, confirmationCode: code });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/not reset/i);
    expect(text(refused)).toMatch(/shared store .*Redis/i);
    expect(text(refused)).toMatch(/retry/i);
    const sync = await replicas[2]!.call("synchronize_attributes_for_identity", { identityId: ids[4]! });
    expect(sync.isError).toBe(true);
    expect(writes(reset)).toHaveLength(0);
    expect(writes(new RegExp(`/identities/${ids[4]}/synchronize-attributes$`))).toHaveLength(0);
    const read = await replicas[2]!.call("get_identity", { identityId: id });
    expect(read.isError, text(read)).toBeFalsy();
    for (const r of replicas) expect(r.cli.child.exitCode).toBeNull();

    await redis.start();
    await until(
      async () => (await fetch(`${replicas[1]!.origin}/readyz`)).status === 200,
      "replica 1 ready again after Redis came back",
      200,
      100,
    );
    // Each replica dates Redis from its own reconnect: until the clock-skew margin has passed for it, a new code is
    // refused as untracked (nothing written). Once both say it has, one code acts once.
    await untilTracking(replicas[0]!, replicas[1]!);
    const fresh = codeOf(await replicas[0]!.call("reset_identity", { identityId: id }));
    const done = await replicas[1]!.call("reset_identity", { identityId: id, confirmationCode: fresh });
    expect(statusOf(done), text(done)).toBe("executed");
    expect(writes(reset)).toHaveLength(1);
    const audit = replicas[1]!.cli.stderr();
    expect(audit).toMatch(/"outcome":"refused".*"reason":"store-unavailable"/);
  }, 60_000);
});

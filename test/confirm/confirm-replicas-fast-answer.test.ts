// Two replicas whose clocks differ by 4.5 s (within the 5 s the store tolerates), one Redis: a form answered at once is
// the host's, not a person's, whichever replica hears it; the window that says so runs on Redis's clock, not on two
// replicas' clocks. The window is 4 s (not the default 1 s), so a loaded machine does not make an instant answer look
// like a person's, and the skew is larger, so only the store's window (not the answering replica's clock) can tell a
// fast answer. Where the window must have closed, Redis expires it at once instead of the test waiting.
import type { Client as ModernClient } from "@modelcontextprotocol/client";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import type { ServedTenant } from "../support/cli-process.js";
import { auditLinesOf } from "../support/cli-eras.js";
import { deletable } from "../support/confirm-e2e.js";
import { writeRequests, type AuditLine } from "../support/guard-helpers.js";
import { MODERN } from "../support/modern-harness.js";
import { describeWithRedis, type RedisServer } from "../support/redis-server.js";
import {
  roundsOn,
  roundText,
  startRedisAndTenant,
  startReplica,
  type Replica,
  type TenantEnv,
  untilTracking,
} from "../support/replica.js";
import { until } from "../support/until.js";

const SKEW_MS = 4_500;
const FAST_ANSWER_S = 4;
const auditOf = (r: Replica): AuditLine[] => auditLinesOf(r.cli.stderr()).filter((l) => l.tool === "delete_identity");

describeWithRedis("a form's fast answer across replicas whose clocks differ", () => {
  let redis: RedisServer;
  let tenant: ServedTenant;
  let plain: Replica;
  let ahead: Replica;
  let peek: Redis;
  const clients: ModernClient[] = [];
  beforeAll(async () => {
    let env: TenantEnv;
    ({ redis, tenant, env } = await startRedisAndTenant());
    // The form only: a yes that does not count is refused, not passed on to a page.
    const args = ["--redis-url", redis.url, "--confirm", "strict", "--confirm-via", "form", "--rate-limit", "0"];
    args.push("--confirm-fast-answer", String(FAST_ANSWER_S));
    const skewed = {
      NODE_OPTIONS: `--import=${new URL("../support/skewed-clock.mjs", import.meta.url).href}`,
      SKEWED_CLOCK_MS: String(SKEW_MS),
    };
    [plain, ahead] = (await Promise.all([startReplica(env, args), startReplica(env, args, skewed)])) as [
      Replica,
      Replica,
    ];
    await untilTracking(plain, ahead);
    peek = new Redis(redis.url, { lazyConnect: true });
  }, 30_000);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    peek?.disconnect();
    await Promise.all([plain?.stop(), ahead?.stop()]);
    await Promise.all([tenant?.served.close(), redis?.stop()]);
  });

  /** A 2026-07-28 client declaring form elicitation on `replica`; its rounds are driven by hand. */
  const on = (replica: Replica) => roundsOn(replica, "replicas-fast-answer", { elicitation: { form: {} } }, clients);
  /** Round 1 on `asker`: the form as an input request; the round that answers it with the right name. */
  const askOn = async (asker: Replica, id: string) => {
    const first = await (await on(asker))({ name: "delete_identity", arguments: { identityId: id } });
    expect(first.resultType).toBe("input_required");
    const [key, ask] = Object.entries(first.inputRequests ?? {})[0]!;
    expect(ask.params?.mode ?? "form").toBe("form");
    return {
      name: "delete_identity",
      arguments: { identityId: id },
      requestState: first.requestState,
      inputResponses: { [key]: { action: "accept", content: { name: tenant.sandbox.state.identities.get(id)!.name } } },
    };
  };
  /** The store keeps a question's window as a cooldown (its key hashed); nothing else here starts one. */
  const windows = () => peek.keys("*:cooldown:*");

  it("asked on one replica, the name sent back at once through one whose clock runs 4.5 s ahead: the host's yes, refused, nothing deleted", async () => {
    const [id] = deletable(tenant.sandbox.state, 1) as [string];
    tenant.sandbox.clearRequests();
    // Connected before the question, so the answer goes back at once.
    const answerOn = await on(ahead);
    const answer = await askOn(plain, id);
    // On the answering replica's clock the yes came 4.5 s after the question: a person's, were that clock trusted.
    const res = await answerOn(answer);
    expect(res.isError).toBe(true);
    expect(roundText(res)).toMatch(/faster than a person can read it[\s\S]*\(auto-accepted\)/);
    expect(writeRequests(tenant.sandbox)).toEqual([]);
    await until(() => auditOf(ahead).length > 0, "the answering replica's audit line");
    expect(auditOf(ahead).at(-1)).toMatchObject({
      era: MODERN,
      outcome: "refused",
      reason: "auto-accepted",
      confirmation: "form",
    });
  }, 60_000);

  it("asked on the replica ahead, answered through the other once the window closed on Redis's clock: a person's yes, deleted once", async () => {
    const [, id] = deletable(tenant.sandbox.state, 2) as [string, string];
    tenant.sandbox.clearRequests();
    const answer = await askOn(ahead, id);
    // The person takes longer than the window: Redis ends it now rather than in 4 s. On the answering replica's clock
    // the question was asked 4.5 s in the future, so only the store can say the window has closed.
    // (On a machine stalled past the window's 4 s it has closed already; the answer must delete all the same.)
    for (const key of await windows()) await peek.pexpire(key, 1);
    await until(async () => (await windows()).length === 0, "the question's fast-answer window closes in Redis");
    const res = await (await on(plain))(answer);
    expect(res.isError, roundText(res)).toBeFalsy();
    expect(roundText(res)).toContain("was deleted");
    expect(writeRequests(tenant.sandbox)).toEqual([{ method: "DELETE", path: `/v2025/identities/${id}`, body: "" }]);
    await until(() => auditOf(plain).length > 0, "the answering replica's audit line");
    expect(auditOf(plain).at(-1)).toMatchObject({ era: MODERN, outcome: "executed", confirmation: "form" });
  }, 60_000);
});

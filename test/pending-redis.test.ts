// Pending confirmations on a real Redis: an answer given to one replica wakes the call waiting on another; first answer wins; spent once.
import { afterAll, beforeAll, expect, it } from "vitest";
import { StoreUnavailable } from "../src/core/errors.js";
import { createLogger } from "../src/core/log.js";
import { connectRedis, type RedisLink } from "../src/core/redis.js";
import { newPageId, type PendingConfirmation } from "../src/guard/page/pending.js";
import { createRedisPendingStore } from "../src/guard/page/pending-redis.js";
import { describeWithRedis, startRedisServer, type RedisServer } from "./support/redis-server.js";

const record = (overrides: Partial<PendingConfirmation> = {}): PendingConfirmation => ({
  id: newPageId(),
  binding: `binding-${Math.random()}`,
  view: { title: "Delete identity", lines: [] } as unknown as PendingConfirmation["view"],
  accept: ["Ada Lovelace"],
  createdAt: Date.now(),
  expiresAt: Date.now() + 60_000,
  state: "pending",
  wrongNames: 0,
  ...overrides,
});

describeWithRedis("pending confirmations on Redis", () => {
  let redis: RedisServer;
  let links: RedisLink[];
  let a: ReturnType<typeof createRedisPendingStore>;
  let b: ReturnType<typeof createRedisPendingStore>;
  beforeAll(async () => {
    redis = await startRedisServer();
    links = await Promise.all([1, 2].map(() => connectRedis({ url: redis.url, log: createLogger("silent") })));
    [a, b] = links.map((l) => createRedisPendingStore(l)) as [typeof a, typeof b];
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all((links ?? []).map((l) => l.close()));
    await redis?.stop();
  });

  it("an answer recorded through replica B wakes the wait on replica A at once", async () => {
    const r = record();
    await a.add(r);
    expect(await b.byBinding(r.binding)).toMatchObject({ id: r.id, state: "pending", accept: ["Ada Lovelace"] });
    const started = Date.now();
    const waiting = a.wait(r.id, 20_000);
    await new Promise((res) => setTimeout(res, 150));
    expect((await b.answer(r.id, "confirmed", Date.now(), { sub: "helpdesk-7", name: "Grace" })).changed).toBe(true);
    const seen = await waiting;
    expect(seen).toMatchObject({ id: r.id, state: "confirmed", answeredBy: { sub: "helpdesk-7", name: "Grace" } });
    // Published, not polled: well under the poll interval after the answer.
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("of concurrent answers on two replicas the first wins, and the answer is spent exactly once", async () => {
    const r = record();
    await a.add(r);
    const answers = await Promise.all([a.answer(r.id, "confirmed", Date.now()), b.answer(r.id, "cancelled", Date.now())]);
    expect(answers.filter((x) => x.changed)).toHaveLength(1);
    const final = (await a.get(r.id))!;
    expect(final.state).toBe(answers.find((x) => x.changed)!.record!.state);
    expect((await b.get(r.id))!.state).toBe(final.state);
    const spends = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).spend(r.id)));
    expect(spends.filter(Boolean)).toHaveLength(1);
    expect(await a.byBinding(r.binding)).toBeUndefined();
  });

  it("counts wrong names across replicas and refuses an answer after expiry", async () => {
    const r = record({ expiresAt: Date.now() + 200 });
    await a.add(r);
    expect(await a.wrongName(r.id)).toBe(1);
    expect(await b.wrongName(r.id)).toBe(2);
    await new Promise((res) => setTimeout(res, 300));
    expect((await b.answer(r.id, "confirmed", Date.now())).changed).toBe(false);
    // Kept a while past expiry, so a late tab says "expired" rather than "no such page".
    expect((await a.get(r.id))!.wrongNames).toBe(2);
  });

  it("with Redis down, says so instead of guessing", async () => {
    await redis.stop();
    try {
      await new Promise((res) => setTimeout(res, 100));
      await expect(a.answer(newPageId(), "confirmed", Date.now())).rejects.toBeInstanceOf(StoreUnavailable);
      await expect(b.byBinding("x")).rejects.toThrow(/shared store \(Redis at redis:\/\/127\.0\.0\.1:\d+\/?\) could not be used for/);
    } finally {
      await redis.start();
    }
  });
});

// The guard's store on a real Redis, two connections standing for two replicas: each step happens once across both.
import { afterAll, beforeAll, expect, it } from "vitest";
import { StoreUnavailable } from "../../src/core/errors.js";
import { createLogger } from "../../src/core/log.js";
import { connectRedis, type RedisLink } from "../../src/isc/redis.js";
import { CLOCK_SKEW_MARGIN_MS, createRedisStore } from "../../src/guard/store-redis.js";
import type { GuardStore, PendingConfirmation } from "../../src/guard/store.js";
import { createConfirmationPages, type ConfirmationPages } from "../../src/guard/page/pages.js";
import { loopbackServing } from "../../src/guard/page/serving.js";
import { DELETE_VIEW, answer, raw } from "../support/page-fixtures.js";
import { describeWithRedis, startRedisServer, type RedisServer } from "../support/redis-server.js";
import { virtualClock } from "../support/virtual-clock.js";

const LIFETIME = 300_000;

/** Polls `check` until it holds (the test's own timeout bounds the wait). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}

/** Issued past the clock-skew margin after every link's `dataSince`: only a spend can refuse it. */
const fresh = (links: RedisLink[], byThisProcess = true) => ({
  at: Math.max(...links.map((l) => l.dataSince!)) + CLOCK_SKEW_MARGIN_MS,
  byThisProcess,
});

describeWithRedis("guard store on Redis", () => {
  let redis: RedisServer;
  let links: RedisLink[];
  let a: GuardStore;
  let b: GuardStore;
  beforeAll(async () => {
    redis = await startRedisServer();
    links = await Promise.all([1, 2].map(() => connectRedis({ url: redis.url, log: createLogger("silent") })));
    // Each link asked INFO when it connected; a PING answered after it means that answer is in.
    await Promise.all(links.map((l) => l.ping()));
    [a, b] = links.map((l) => createRedisStore(l)) as [GuardStore, GuardStore];
  });
  afterAll(async () => {
    await Promise.all((links ?? []).map((l) => l.close()));
    await redis?.stop();
  });

  it("spends a code exactly once across replicas, and keeps no readable trace of it", async () => {
    const now = Date.now();
    const issued = fresh(links);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).spend("code-1", { ...issued, byThisProcess: i % 2 === 0 }, LIFETIME, now),
      ),
    );
    expect(results.filter((r) => r === "spent")).toHaveLength(1);
    expect(results.filter((r) => r === "used")).toHaveLength(19);
    const keys = await links[0]!.client.keys("*");
    expect(keys.join(" ")).not.toContain("code-1");
  });

  it("refuses to guess about a code issued before the Redis server started", async () => {
    // Issued 200 s ago by the clock, long before this Redis came up.
    expect(
      await a.spend("old-code", { at: Date.now() - 200_000, byThisProcess: true }, LIFETIME - 200_000, Date.now()),
    ).toBe("untracked");
    // Not spent either: the answer stays "untracked", never "used".
    expect(
      await b.spend("old-code", { at: Date.now() - 200_000, byThisProcess: false }, LIFETIME - 200_000, Date.now()),
    ).toBe("untracked");
  });

  it("starts a cooldown once, and tells the others how long is left", async () => {
    const now = Date.now();
    const [x, y] = await Promise.all([
      a.startCooldown("sync:acme:1", 10_000, now),
      b.startCooldown("sync:acme:1", 10_000, now),
    ]);
    expect([x, y].filter((v) => v === 0)).toHaveLength(1);
    expect(Math.max(x, y)).toBeGreaterThan(9_000);
    expect(Math.max(x, y)).toBeLessThanOrEqual(10_000);
  });

  it("counts a page's wrong names once across replicas, under a digest key that goes when the page expires", async () => {
    const now = Date.now();
    const id = "page-wrong-names-0123456789";
    const counts = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).countWrongName(id, now + 30_000, now)),
    );
    // INCR: every count is taken once, whichever replica took it.
    expect(counts.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await a.countWrongName("another-page-0123456789", now + 30_000, now)).toBe(1);
    const keys = await links[0]!.client.keys("*:wrong:*");
    expect(keys.join(" ")).not.toContain(id);
    const ttls = await Promise.all(keys.map((k) => links[0]!.client.pttl(k)));
    for (const t of ttls) expect(t).toBeGreaterThan(0);
    for (const t of ttls) expect(t).toBeLessThanOrEqual(30_000);
  });

  it("counts distinct ids in a window across replicas", async () => {
    const now = Date.now();
    expect(await a.countInWindow("mass:acme:process", ["i1", "i2", "i3"], 60_000, now)).toBe(3);
    expect(await b.countInWindow("mass:acme:process", ["i3", "i4"], 60_000, now + 1)).toBe(4);
    // Past the window they are gone.
    expect(await a.countInWindow("mass:acme:process", ["i5"], 60_000, now + 60_002)).toBe(1);
  });

  it("one pending confirmation per binding; the first answer wins; only one call takes it", async () => {
    const now = Date.now();
    const p = (id: string): PendingConfirmation => ({
      id,
      binding: "bind-1",
      channel: "page",
      expiresAt: now + 60_000,
      data: "{}",
    });
    const [first, second] = await Promise.all([a.openPending(p("id-a"), now), b.openPending(p("id-b"), now)]);
    expect(first.id).toBe(second.id);
    expect(await b.findPending({ binding: "bind-1" }, now)).toMatchObject({ id: first.id });
    expect(await a.takeAnswered("bind-1", now)).toBeUndefined();
    const answers = await Promise.all([
      a.answerPending(first.id, { confirmed: true }, now),
      b.answerPending(first.id, { confirmed: false, reason: "declined", why: "no" }, now),
    ]);
    expect(answers.filter(Boolean)).toHaveLength(1);
    const taken = await Promise.all([a.takeAnswered("bind-1", now), b.takeAnswered("bind-1", now)]);
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect(await a.findPending({ id: first.id }, now)).toBeUndefined();
  });

  it("a page answered on one replica reads 'already answered' on another, after the answer is taken; expiry is told once", async () => {
    const log = createLogger("silent");
    // One clock for both replicas' pages, moved by the test (the store keeps records by their expiresAt, not Redis's clock).
    const clock = virtualClock({ manual: true });
    const now = () => clock.now();
    const replica = (store: GuardStore): ConfirmationPages => {
      let pages: ConfirmationPages | undefined;
      pages = createConfirmationPages({ store, serving: loopbackServing(() => pages!.handle, { log }), log, now });
      return pages;
    };
    const [pa, pb] = [replica(a), replica(b)];
    try {
      const open = (pages: ConfirmationPages, binding: string) =>
        pages.open({
          binding,
          channel: "browser",
          data: { view: DELETE_VIEW, accept: ["Adam.Kennedy"] },
          expiresAt: now() + 60_000,
        });
      const { pending, url } = await open(pa, "pages-1");
      // Replica B's own listener (it opens with B's first page), asked for A's page.
      const onB = new URL(`confirm/${pending.id}`, new URL((await open(pb, "pages-other")).url)).href;
      expect(onB).not.toBe(url);
      expect((await raw(onB)).status).toBe(200);
      expect((await answer(url, { answer: "confirm", name: "Adam.Kennedy" })).status).toBe(200);
      expect(await pb.take("pages-1", pending.id)).toMatchObject({ answer: { confirmed: true } });
      expect(await pa.take("pages-1", pending.id)).toBeUndefined();
      const late = await raw(onB);
      expect(late.status).toBe(200);
      expect(late.body).toContain("Already answered");
      // Both replicas know the answer was used: an identical call within the minute opens no new page.
      expect(await pa.settled("pages-1")).toBe("used");
      expect(await pb.find("pages-1")).toBeUndefined();

      // A page that expired unanswered: one re-call, on either replica, is told so; the page says "expired" on both.
      const short = await open(pa, "pages-2");
      expect(await pa.settled("pages-2")).toBeUndefined();
      clock.advance(60_001);
      const told = await Promise.all([pa.settled("pages-2"), pb.settled("pages-2")]);
      expect(told.sort()).toEqual(["expired", undefined]);
      const onBShort = new URL(`confirm/${short.pending.id}`, onB).href;
      expect((await raw(onBShort)).status).toBe(410);
    } finally {
      await Promise.all([pa.close(), pb.close()]);
    }
  });

  it("a replica that connects late trusts the server's start: it spends codes the others issued before it connected", async () => {
    // Up long enough that even the latest moment the new link can date its start to, plus the skew margin, lies before this one.
    await until(
      async () =>
        Number(/uptime_in_seconds:(\d+)/.exec(await links[0]!.client.info("server"))?.[1]) >=
        2 + CLOCK_SKEW_MARGIN_MS / 1000,
    );
    const issued = { at: Date.now(), byThisProcess: false };
    const late = await connectRedis({ url: redis.url, log: createLogger("silent") });
    try {
      await late.ping();
      expect(await createRedisStore(late).spend("issued-before-c-connected", issued, LIFETIME, Date.now())).toBe(
        "spent",
      );
      expect(await a.spend("issued-before-c-connected", issued, LIFETIME, Date.now())).toBe("used");
    } finally {
      await late.close();
    }
  }, 30_000);

  it("after an outage this replica saw, it refuses codes issued before Redis came back: it cannot know what was spent meanwhile", async () => {
    // Issued past the margin after B's dataSince, before the outage A is about to see.
    const issued = fresh([links[1]!]);
    // Cut links[0]'s connection from the server side; Redis itself keeps running (and keeps its data).
    const id = await links[0]!.client.client("ID");
    await links[1]!.client.client("KILL", "ID", String(id));
    await until(
      async () =>
        (await links[0]!.client.client("ID").catch(() => id)) !== id &&
        links[0]!.reachable &&
        links[0]!.dataSince !== undefined,
    );
    expect(await a.spend("issued-before-the-outage", issued, LIFETIME, Date.now())).toBe("untracked");
    // links[1] saw no outage: for it the same code is one it can spend, once.
    expect(await b.spend("issued-before-the-outage", issued, LIFETIME, Date.now())).toBe("spent");
    // Codes issued once it is back (and past the skew margin) are spent as usual.
    expect(await a.spend("issued-after-the-outage", fresh(links), LIFETIME, Date.now())).toBe("spent");
  });

  it("refuses a code spent just before Redis restarted empty, on every replica", async () => {
    const issued = fresh(links);
    expect(await a.spend("spent-before-restart", issued, LIFETIME, Date.now())).toBe("spent");
    await redis.stop();
    await redis.start();
    await until(
      async () => links.every((l) => l.reachable) && (await Promise.all(links.map((l) => l.ping()))).every(Boolean),
    );
    // The latest moment Redis can have started is after the code was issued: whether it was spent is lost with the restart.
    expect(await b.spend("spent-before-restart", issued, LIFETIME, Date.now())).toBe("untracked");
    expect(await a.spend("spent-before-restart", issued, LIFETIME, Date.now())).toBe("untracked");
  });

  it("a code stamped by a replica whose clock runs 4 s ahead, spent just before Redis restarted empty, is refused on every replica", async () => {
    // Replica A's clock is 4 s (or more) ahead of B's: its code says it was issued that much later than it was.
    const issued = { at: Math.max(fresh(links).at, Date.now() + 4_000), byThisProcess: true };
    expect(await a.spend("spent-before-restart-fast-clock", issued, LIFETIME, Date.now())).toBe("spent");
    await redis.stop();
    await redis.start();
    await until(
      async () => links.every((l) => l.reachable) && (await Promise.all(links.map((l) => l.ping()))).every(Boolean),
    );
    // By B's clock the code looks issued after Redis came back; within the margin it is still refused.
    expect(issued.at).toBeGreaterThan(links[1]!.dataSince!);
    expect(await b.spend("spent-before-restart-fast-clock", issued, LIFETIME, Date.now())).toBe("untracked");
    expect(await a.spend("spent-before-restart-fast-clock", issued, LIFETIME, Date.now())).toBe("untracked");
  });

  it("the skew margin is exact: a code issued CLOCK_SKEW_MARGIN_MS after dataSince is spent, one a millisecond earlier is not", async () => {
    const since = links[1]!.dataSince!;
    expect(
      await b.spend(
        "just-inside-the-margin",
        { at: since + CLOCK_SKEW_MARGIN_MS - 1, byThisProcess: false },
        LIFETIME,
        Date.now(),
      ),
    ).toBe("untracked");
    expect(
      await b.spend(
        "just-past-the-margin",
        { at: since + CLOCK_SKEW_MARGIN_MS, byThisProcess: false },
        LIFETIME,
        Date.now(),
      ),
    ).toBe("spent");
  });

  it("says the store is unavailable instead of guessing when Redis is down", async () => {
    await redis.stop();
    try {
      // Both links have seen it go (not a fixed pause that a loaded machine may cut short).
      await until(async () => links.every((l) => !l.reachable));
      await expect(a.spend("code-2", fresh(links), 10_000, Date.now())).rejects.toBeInstanceOf(StoreUnavailable);
      await expect(b.startCooldown("sync:acme:2", 10_000, Date.now())).rejects.toThrow(
        /shared store \(Redis at .*\) could not be used for a cooldown check/,
      );
    } finally {
      await redis.start();
    }
  });
});

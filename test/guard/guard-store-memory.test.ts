// The process-memory store on an injected clock: pending confirmations found by id and by binding among thousands, expiry, and answers that wake their waiters.
import { describe, expect, it } from "vitest";
import { createMemoryStore, PENDING_KEPT_MS, type PendingConfirmation } from "../../src/guard/store.js";

const T0 = Date.parse("2026-01-01T09:00:00Z");
const pending = (id: string, binding: string, expiresAt: number): PendingConfirmation => ({
  id,
  binding,
  channel: "url",
  expiresAt,
  data: `{"n":"${id}"}`,
});

describe("the memory store's pending confirmations", () => {
  it("finds each of thousands by id and by binding, one per binding, and takes an answer once", async () => {
    const store = createMemoryStore();
    for (let i = 0; i < 5_000; i++) await store.openPending(pending(`id-${i}`, `b-${i}`, T0 + 60_000), T0);
    // A second open of the same binding returns the one already open.
    expect(await store.openPending(pending("other", "b-4321", T0 + 60_000), T0)).toMatchObject({
      id: "id-4321",
      binding: "b-4321",
    });
    expect(await store.findPending({ id: "other" }, T0)).toBeUndefined();
    expect(await store.findPending({ id: "id-17" }, T0)).toMatchObject({ binding: "b-17", data: '{"n":"id-17"}' });
    expect(await store.findPending({ binding: "b-4999" }, T0)).toMatchObject({ id: "id-4999" });
    expect(await store.findPending({ binding: "b-5000" }, T0)).toBeUndefined();

    expect(await store.takeAnswered("b-4321", T0)).toBeUndefined();
    expect(await store.answerPending("id-4321", { confirmed: true }, T0)).toBe(true);
    // First answer wins.
    expect(await store.answerPending("id-4321", { confirmed: false, reason: "cancelled", why: "late" }, T0)).toBe(
      false,
    );
    expect(await store.findPending({ binding: "b-4321" }, T0)).toMatchObject({ answer: { confirmed: true } });
    expect(await store.takeAnswered("b-4321", T0)).toMatchObject({ id: "id-4321", answer: { confirmed: true } });
    expect(await store.takeAnswered("b-4321", T0)).toBeUndefined();
    expect(await store.findPending({ id: "id-4321" }, T0)).toBeUndefined();
    // The others are untouched.
    expect(await store.findPending({ binding: "b-4322" }, T0)).toMatchObject({ id: "id-4322" });
    expect((await store.findPending({ binding: "b-4322" }, T0))?.answer).toBeUndefined();
  });

  it("lets a confirmation go when it expires: not found, not answerable, and its binding opens a new one", async () => {
    const store = createMemoryStore();
    await store.openPending(pending("short", "b", T0 + 1_000), T0);
    await store.openPending(pending("long", "c", T0 + 100_000), T0);
    expect(await store.findPending({ binding: "b" }, T0 + 999)).toMatchObject({ id: "short" });
    expect(await store.findPending({ id: "short" }, T0 + 1_000)).toBeUndefined();
    expect(await store.findPending({ binding: "b" }, T0 + 1_000)).toBeUndefined();
    expect(await store.answerPending("short", { confirmed: true }, T0 + 1_000)).toBe(false);
    expect(await store.openPending(pending("again", "b", T0 + 61_000), T0 + 1_000)).toMatchObject({ id: "again" });
    expect(await store.findPending({ binding: "b" }, T0 + 1_001)).toMatchObject({ id: "again" });
    // Far later (past the sweep): an answered confirmation that expired before anyone took it is gone too.
    await store.answerPending("again", { confirmed: true }, T0 + 2_000);
    expect(await store.takeAnswered("b", T0 + 61_000)).toBeUndefined();
    expect(await store.findPending({ id: "long" }, T0 + 61_000)).toMatchObject({ binding: "c" });
    // A clock that goes back does not bring anything back, nor lose what is still open.
    expect(await store.findPending({ id: "short" }, T0)).toBeUndefined();
    expect(await store.findPending({ id: "long" }, T0 + 5_000)).toMatchObject({ binding: "c" });
  });

  it("is the one record of a confirmation after its answer is taken and after it expires, until PENDING_KEPT_MS later", async () => {
    const store = createMemoryStore();
    await store.openPending(pending("p1", "b", T0 + 60_000), T0);
    await store.answerPending("p1", { confirmed: true }, T0 + 1_000);
    expect(await store.takeAnswered("b", T0 + 2_000)).toMatchObject({ id: "p1", taken: T0 + 2_000 });
    // Taken: no longer live (a re-call opens a new page), but remembered as answered and when it was taken.
    expect(await store.findPending({ id: "p1" }, T0 + 2_000)).toBeUndefined();
    expect(await store.findPending({ binding: "b" }, T0 + 2_000)).toBeUndefined();
    expect(await store.takeAnswered("b", T0 + 2_000)).toBeUndefined();
    expect(await store.recallPending({ id: "p1" }, T0 + 2_000)).toMatchObject({
      answer: { confirmed: true },
      taken: T0 + 2_000,
    });
    expect(await store.recallPending({ binding: "b" }, T0 + 60_000 + PENDING_KEPT_MS - 1)).toMatchObject({ id: "p1" });
    expect(await store.recallPending({ id: "p1" }, T0 + 60_000 + PENDING_KEPT_MS)).toBeUndefined();
    expect(await store.recallPending({ binding: "b" }, T0 + 60_000 + PENDING_KEPT_MS)).toBeUndefined();

    // Expired unanswered: recalled as such, its expiry told exactly once, never before it expires.
    await store.openPending(pending("p2", "c", T0 + 60_000), T0);
    expect(await store.tellExpired("p2", T0 + 59_999)).toBe(false);
    expect(await store.recallPending({ binding: "c" }, T0 + 60_000)).toMatchObject({
      id: "p2",
      expiresAt: T0 + 60_000,
    });
    expect(await store.tellExpired("p2", T0 + 60_000)).toBe(true);
    expect(await store.tellExpired("p2", T0 + 60_001)).toBe(false);
    // An answered one is never "expired": the answer stands.
    await store.openPending(pending("p3", "d", T0 + 60_000), T0);
    await store.answerPending("p3", { confirmed: false, reason: "declined", why: "no" }, T0);
    expect(await store.tellExpired("p3", T0 + 61_000)).toBe(false);
  });

  it("counts a confirmation's wrong names with it, and forgets them with it", async () => {
    const store = createMemoryStore();
    await store.openPending(pending("w-1", "b-w", T0 + 60_000), T0);
    expect(await store.countWrongName("w-1", T0 + 60_000, T0)).toBe(1);
    expect(await store.countWrongName("w-1", T0 + 60_000, T0 + 1)).toBe(2);
    // A confirmation the store does not hold is not counted (nothing to cancel, nothing kept).
    expect(await store.countWrongName("never-opened", T0 + 60_000, T0)).toBe(1);
    expect(await store.countWrongName("never-opened", T0 + 60_000, T0)).toBe(1);
    // Once the record is forgotten (PENDING_KEPT_MS past its expiry), so is its count.
    const gone = T0 + 60_000 + PENDING_KEPT_MS;
    expect(await store.recallPending({ id: "w-1" }, gone)).toBeUndefined();
    expect(await store.countWrongName("w-1", T0 + 60_000, gone)).toBe(1);
  });

  it("wakes the waiters of a confirmation when it is first answered, and only those", async () => {
    const store = createMemoryStore();
    for (let i = 0; i < 1_000; i++) await store.openPending(pending(`id-${i}`, `b-${i}`, T0 + 60_000), T0);
    const woke: string[] = [];
    const stopA = store.watchPending("id-500", () => woke.push("a"));
    store.watchPending("id-500", () => woke.push("b"));
    store.watchPending("id-501", () => woke.push("other"));
    stopA();
    expect(await store.answerPending("id-500", { confirmed: false, reason: "cancelled", why: "no" }, T0)).toBe(true);
    expect(woke).toEqual(["b"]);
    // A second answer changes nothing and wakes nobody.
    await store.answerPending("id-500", { confirmed: true }, T0);
    expect(woke).toEqual(["b"]);
    await store.answerPending("id-501", { confirmed: true }, T0);
    expect(woke).toEqual(["b", "other"]);
  });

  it("keeps spent codes, cooldowns and windows for exactly their time", async () => {
    const store = createMemoryStore();
    const mine = { at: T0, byThisProcess: true };
    expect(await store.spend("code", mine, 1_000, T0)).toBe("spent");
    expect(await store.spend("code", mine, 1_000, T0 + 999)).toBe("used");
    expect(await store.spend("code", mine, 1_000, T0 + 1_000)).toBe("spent");
    expect(await store.startCooldown("k", 10_000, T0)).toBe(0);
    expect(await store.startCooldown("k", 10_000, T0 + 4_000)).toBe(6_000);
    expect(await store.startCooldown("k", 10_000, T0 + 10_000)).toBe(0);
    expect(await store.countInWindow("w", ["a", "b"], 60_000, T0)).toBe(2);
    expect(await store.countInWindow("w", ["b", "c"], 60_000, T0 + 30_000)).toBe(3);
    // "a" left the window at T0 + 60 s; "b" was named again, so it stays until T0 + 90 s.
    expect(await store.countInWindow("w", [], 60_000, T0 + 60_000)).toBe(2);
    expect(await store.countInWindow("w", [], 60_000, T0 + 90_000)).toBe(0);
  });
});

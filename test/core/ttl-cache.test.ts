// The bounded, expiring cache behind completions: entries expire after their time and the oldest go once it is full.
import { describe, expect, it } from "vitest";
import { createTtlCache } from "../../src/core/ttl-cache.js";

describe("createTtlCache", () => {
  it("forgets an entry once its time has passed", () => {
    let now = 1_000;
    const cache = createTtlCache<string>({ max: 10, ttlMs: 30_000, now: () => now });
    cache.set("a", "1");
    now += 29_999;
    expect(cache.get("a")).toBe("1");
    now += 1;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("keeps at most `max` entries, dropping the oldest first", () => {
    const cache = createTtlCache<number>({ max: 3, ttlMs: 60_000 });
    for (const [i, key] of ["a", "b", "c", "d"].entries()) cache.set(key, i);
    expect(cache.size).toBe(3);
    expect(cache.get("a")).toBeUndefined();
    expect([cache.get("b"), cache.get("c"), cache.get("d")]).toEqual([1, 2, 3]);
    cache.set("b", 9); // re-set: now the newest
    cache.set("e", 4);
    expect(cache.get("c")).toBeUndefined();
    expect(cache.get("b")).toBe(9);
  });
});

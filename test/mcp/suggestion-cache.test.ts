// The cache behind identity completions (lru-cache): a prefix's suggestions expire after TTL_MS, and it holds at most CACHED_PREFIXES.
import { describe, expect, it } from "vitest";
import { CACHED_PREFIXES, suggestionCache, TTL_MS, type Suggestions } from "../../src/mcp/identity-suggestions.js";

const found = (n: number): Promise<Suggestions> => Promise.resolve({ matches: [], total: n });

describe("suggestion cache", () => {
  it("forgets a prefix once more than TTL_MS has passed since it was stored", () => {
    let now = 1_000;
    const cache = suggestionCache({ now: () => now });
    const a = found(1);
    cache.set("ali", a);
    now += TTL_MS;
    expect(cache.get("ali")).toBe(a);
    now += 1;
    expect(cache.get("ali")).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("keeps at most CACHED_PREFIXES, dropping the least recently used first", () => {
    const cache = suggestionCache({ now: () => 0 });
    for (let i = 0; i <= CACHED_PREFIXES; i++) cache.set(`p${i}`, found(i));
    expect(cache.size).toBe(CACHED_PREFIXES);
    expect(cache.get("p0")).toBeUndefined();
    expect(cache.get(`p${CACHED_PREFIXES}`)).toBeDefined();
  });
});

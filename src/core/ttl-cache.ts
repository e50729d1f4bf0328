// A small map whose entries expire after a fixed time and whose oldest entries go first once it is full.

export interface TtlCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): void;
  readonly size: number;
}

/**
 * Insertion order is age order (a Map keeps it, and `set` re-inserts), so eviction is the first key and
 * expiry stops at the first fresh entry. Hand-written: twenty lines, nothing more on the start path.
 */
export function createTtlCache<V>(opts: { max: number; ttlMs: number; now?: () => number }): TtlCache<V> {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { value: V; until: number }>();
  const expire = () => {
    const t = now();
    for (const [key, entry] of entries) {
      if (entry.until > t) break;
      entries.delete(key);
    }
  };
  return {
    get(key) {
      expire();
      return entries.get(key)?.value;
    },
    set(key, value) {
      expire();
      entries.delete(key);
      entries.set(key, { value, until: now() + opts.ttlMs });
      while (entries.size > opts.max) entries.delete(entries.keys().next().value as string);
    },
    delete(key) {
      entries.delete(key);
    },
    get size() {
      expire();
      return entries.size;
    },
  };
}

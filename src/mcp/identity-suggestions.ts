// Identities whose name or alias starts with what a person typed: one ISC request per distinct prefix, kept briefly.
import { LRUCache, type Perf } from "lru-cache";
import { startDeadline } from "../core/deadline.js";
import type { Logger } from "../core/log.js";
import { UNSAFE } from "../core/quote.js";
import { readerFor } from "../isc/body.js";
import { ANY_LIST } from "../isc/any-body.js";
import type { IscClient } from "../isc/client.js";
import { ID_PATTERN } from "../isc/paths.js";

/** What a picker shows at once; the spec allows 100, a person reads about ten. */
export const SUGGESTIONS = 10;
/** A prefix longer than any name is no prefix worth a request. */
const MAX_PREFIX = 100;
/** Long enough to cover one person typing and retyping, short enough that a renamed identity shows soon. */
export const TTL_MS = 30_000;
export const CACHED_PREFIXES = 200;
const DEADLINE_MS = 10_000;

export interface Match {
  id: string;
  name: string;
  alias: string | undefined;
}

export interface Suggestions {
  matches: Match[];
  /** ISC's X-Total-Count, when it sent one. */
  total: number | undefined;
}

const NONE: Suggestions = { matches: [], total: 0 };

/** The suggestions for each prefix (a promise: callers at once share one request), each kept for TTL_MS; `perf` is for tests. */
export function suggestionCache(perf?: Perf): LRUCache<string, Promise<Suggestions>> {
  // ttlResolution 0: read the clock at each look-up rather than arm a timer to forget a cached reading.
  return new LRUCache({ max: CACHED_PREFIXES, ttl: TTL_MS, ttlResolution: 0, ...(perf ? { perf } : {}) });
}

// One cache per ISC client: every session of a process (and only of that tenant) shares it.
const caches = new WeakMap<IscClient, LRUCache<string, Promise<Suggestions>>>();

/** ISC's filter grammar: a double-quoted string with `\"` and `\\` escaped. */
export function filterString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A value a picker may show and a person may insert: no control, line, bidi or invisible character, not absurdly long. */
export function insertable(value: string | undefined): value is string {
  return typeof value === "string" && value !== "" && value.length <= 200 && value.search(UNSAFE) < 0;
}

export function suggestIdentities(isc: IscClient, prefix: string, log: Logger): Promise<Suggestions> {
  const typed = prefix.trim();
  if (typed === "" || typed.length > MAX_PREFIX || !insertable(typed)) return Promise.resolve(NONE);
  let cache = caches.get(isc);
  if (!cache) caches.set(isc, (cache = suggestionCache()));
  const hit = cache.get(typed);
  if (hit) return hit;
  // The promise is cached, so two pickers asking at once still make one request; a failure is not kept.
  const pending = lookup(isc, typed).catch((err: unknown) => {
    cache.delete(typed);
    log.debug(
      `completion for ${JSON.stringify(typed.slice(0, 40))} got no suggestions: ${err instanceof Error ? err.message : String(err)}`,
    );
    return NONE;
  });
  cache.set(typed, pending);
  return pending;
}

async function lookup(isc: IscClient, typed: string): Promise<Suggestions> {
  // Its own deadline, not the asker's signal: a shared lookup is not cancelled by one of the pickers waiting on it.
  const deadline = startDeadline([], DEADLINE_MS);
  try {
    const quotedPrefix = filterString(typed);
    const res = await readerFor(isc, deadline.signal)("GET", "identities", ANY_LIST, {
      searchParams: {
        filters: `name sw ${quotedPrefix} or alias sw ${quotedPrefix}`,
        sorters: "name",
        count: true,
        limit: SUGGESTIONS,
        offset: 0,
      },
    });
    const matches: Match[] = [];
    for (const raw of res.data) {
      const v = raw as { id?: unknown; name?: unknown; alias?: unknown } | null;
      if (!v || typeof v.id !== "string" || !ID_PATTERN.test(v.id) || typeof v.name !== "string") continue;
      matches.push({ id: v.id, name: v.name, alias: typeof v.alias === "string" ? v.alias : undefined });
    }
    const header = Number(res.headers.get("x-total-count") ?? Number.NaN);
    return { matches, total: Number.isFinite(header) ? header : undefined };
  } finally {
    deadline.clear();
  }
}

// The V8 flags a server sets, and when: none while it starts. Node's own modules (http, zlib, crypto…) come with code
// compiled when Node was built, which V8 accepts only under the flags it was made with; once any flag is set at run
// time, every Node module loaded after it compiles from source instead (ten of them took 38 ms instead of 12, on Node
// 20 and 22 alike). So the checksum check is on only while this server's code cache is read or written, and the heap
// flag is set once start-up is over (serve.ts). Set one at a time: V8 ignores everything after a flag it does not know
// (and says so on stderr). test/cli/compile-cache.test.ts checks that this Node knows each of them.
import { cachedDataVersionTag, setFlagsFromString } from "node:v8";

/**
 * A code cache whose bytes were damaged (a bad disk, a torn write) is refused instead of crashing V8 at every start.
 * V8 makes a cache's checksum, and checks it, only while this is on.
 */
const CACHE_CHECKSUM = "--verify-snapshot-checksum";
const CACHE_CHECKSUM_OFF = "--no-verify-snapshot-checksum";

/**
 * V8 lets the old heap grow to up to 4× what survives a full collection before collecting again, so a server whose
 * live data stays ~30 MB sat at ~170 MB RSS after 10,000 calls; at 1.5× its RSS stays flat. `npm run bench` measures
 * the memory and the per-call cost, `--only tricks` the flag on and off.
 */
export const HEAP_GROWING = "--heap-growing-percent=50";
/** Its default: V8 picks the factor itself. */
export const HEAP_GROWING_DEFAULT = "--heap-growing-percent=0";

/** Every flag the server sets. */
export const V8_FLAGS: readonly string[] = [CACHE_CHECKSUM, HEAP_GROWING];

/** Set on the global, not here: the shipped entry and the bundle it runs each hold a copy of this file. */
const HEAP_FLAG_SET = Symbol.for("isc-identities-mcp.heapFlagSet");
type Marked = { [HEAP_FLAG_SET]?: boolean };

/** Once start-up is over: Node modules loaded from here on compile from source (see the top of this file). */
export function setHeapFlag(): void {
  setFlagsFromString(HEAP_GROWING);
  (globalThis as Marked)[HEAP_FLAG_SET] = true;
}

/**
 * Reads or writes a code cache (`work`) with V8's checksum on and the heap flag at its default, so that a cache
 * written at any time matches the flags of the start that reads it; both are back as they were afterwards. (The cache
 * is written before the heap flag is set, as serve.ts orders it: resetting it here is a guard should that change.)
 */
export function withCacheChecksum<T>(work: () => T): T {
  const heap = (globalThis as Marked)[HEAP_FLAG_SET] === true;
  // V8's tag folds in every flag set: unchanged, the checksum was on already (node --verify-snapshot-checksum).
  const before = cachedDataVersionTag();
  setFlagsFromString(CACHE_CHECKSUM);
  const wasOn = cachedDataVersionTag() === before;
  if (heap) setFlagsFromString(HEAP_GROWING_DEFAULT);
  try {
    return work();
  } finally {
    if (!wasOn) setFlagsFromString(CACHE_CHECKSUM_OFF);
    if (heap) setFlagsFromString(HEAP_GROWING);
  }
}

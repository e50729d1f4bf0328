// The V8 flags every server start uses: set by the shipped entry before the bundle compiles (its code cache is only
// accepted under the flags it was made with) and again by serve.ts for the tsc output. Set one at a time: V8 ignores
// everything after a flag it does not know (and says so on stderr), so one flag a later Node drops cannot switch off
// the others. test/cli/compile-cache.test.ts checks that this Node knows each of them.
import { setFlagsFromString } from "node:v8";

/**
 * --verify-snapshot-checksum: a code cache whose bytes were damaged (a bad disk, a torn write) is refused instead of
 * crashing V8 at every start; Node 20 leaves the check off. It costs well under a millisecond. First: it guards the rest.
 * --heap-growing-percent: V8 lets the old heap grow to up to 4× what survives a full collection before collecting
 * again, so a server whose live data stays ~30 MB sat at ~170 MB RSS after 10,000 calls; at 1.5× its RSS stays flat.
 * `npm run bench` measures the memory, the start and the per-call cost; `--only tricks` each flag on and off.
 */
export const V8_FLAGS: readonly string[] = ["--verify-snapshot-checksum", "--heap-growing-percent=50"];

/** Sets each of V8_FLAGS, one call per flag. Setting the same values again changes nothing (nor the cache's flag check). */
export function applyV8Flags(): void {
  for (const flag of V8_FLAGS) setFlagsFromString(flag);
}

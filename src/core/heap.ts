// The V8 heap settings every server start uses: set before the bundle compiles (its code cache records V8's flags).

/**
 * --heap-growing-percent: V8 lets the old heap grow to up to 4× what survives a full collection before collecting
 * again, so a server whose live data stays ~30 MB sat at ~170 MB RSS after 10,000 calls; at 1.5× its RSS stays flat.
 * --semi-space-growth-factor: the young heap starts at 1 MB and doubled five times during a start (five scavenges,
 * ~7 ms); growing it 8× at a time takes two. It ends at V8's usual maximum either way, so a long run is unchanged.
 * `npm run bench` measures the memory, the start and the per-call cost.
 */
export const HEAP_FLAGS = "--heap-growing-percent=50 --semi-space-growth-factor=8";

// How a server start asks the shipped entry (bin.ts) to write its code cache; a no-op when run from the tsc output.

/** Set by compile-cache.ts before the bundle runs. */
export const SAVE_COMPILE_CACHE = Symbol.for("isc-identities-mcp.saveCompileCache");

/**
 * Writes the code cache if this start compiled without one. serve.ts calls it a second after it began serving (time
 * for a host's initialize and tools/list) and at shutdown, so the cache holds the functions a start runs, not just
 * the top level.
 */
export function saveCompileCache(): void {
  (globalThis as { [SAVE_COMPILE_CACHE]?: () => void })[SAVE_COMPILE_CACHE]?.();
}

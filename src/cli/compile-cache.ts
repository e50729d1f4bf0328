// Runs the CommonJS bundle of the CLI through a V8 code cache (Node 20 has no module.enableCompileCache): a start
// after the first deserialises compiled code instead of parsing and compiling ~1 MB of JavaScript.
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Script } from "node:vm";
import { SAVE_COMPILE_CACHE } from "./compile-cache-hook.js";

const SUFFIX = ".v8cache";

/**
 * The user's own cache folder (never a shared temporary one: a code cache is code). Node's variables decide as they
 * do for its own compile cache: NODE_COMPILE_CACHE names the parent folder, NODE_DISABLE_COMPILE_CACHE turns it off.
 */
export function cacheDirectory(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  if (env.NODE_COMPILE_CACHE) return join(env.NODE_COMPILE_CACHE, "isc-identities-mcp");
  if (platform === "win32") return env.LOCALAPPDATA ? join(env.LOCALAPPDATA, "isc-identities-mcp", "Cache") : undefined;
  if (platform === "darwin") return join(home, "Library", "Caches", "isc-identities-mcp");
  return join(env.XDG_CACHE_HOME || join(home, ".cache"), "isc-identities-mcp");
}

/**
 * One cache file per bundle build and Node binary. `bundleKey` is a hash of the bundle's text, made at build time:
 * V8 checks its own version and flags but only the length of the source, so the key keeps a rebuilt bundle from
 * running another build's code.
 */
export function cacheFileName(bundleKey: string): string {
  return `${bundleKey}-${process.version}-${process.arch}${SUFFIX}`;
}

/** Runs `file` (a CommonJS bundle) as `require` would, compiled from the cache when one matches. Never fails for the cache's sake. */
export function runWithCompileCache(file: string, bundleKey: string): void {
  const dir = cacheDirectory(process.env, process.platform, homedir());
  const require = createRequire(file);
  if (!dir) {
    require(file);
    return;
  }
  const cacheFile = join(dir, cacheFileName(bundleKey));
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet (the first start), or unreadable: compile, and write one later.
  }
  // The wrapper adds no line, so stack traces keep the bundle's line numbers. The bundle has no import(): a script
  // compiled here could not run one without an experimental loader.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "utf8")}\n})`;
  const script = new Script(wrapped, { filename: file, ...(cachedData ? { cachedData } : {}) });
  let pending = !cachedData || script.cachedDataRejected === true;
  (globalThis as { [SAVE_COMPILE_CACHE]?: () => void })[SAVE_COMPILE_CACHE] = () => {
    if (!pending) return;
    pending = false;
    writeCache(dir, cacheFile, bundleKey, script);
  };
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, require, module, file, dirname(file));
}

/** Written beside, then renamed: replicas or test runs starting together never read half a file. Older builds' caches go. */
function writeCache(dir: string, cacheFile: string, bundleKey: string, script: Script): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const partial = `${cacheFile}.${process.pid}.partial`;
    writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    renameSync(partial, cacheFile);
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      // Another build's cache, or what a start that died mid-write left (not one being written right now).
      if ((name.endsWith(SUFFIX) && !name.startsWith(`${bundleKey}-`)) || (name.endsWith(".partial") && Date.now() - statSync(path).mtimeMs > 60_000)) unlinkSync(path);
    }
  } catch {
    // A read-only or full disk only costs the next start its head start.
  }
}

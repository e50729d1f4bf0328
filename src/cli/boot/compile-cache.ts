// Runs the CommonJS bundle of the CLI through a V8 code cache (Node 20 has no module.enableCompileCache): a start
// after the first deserialises compiled code instead of parsing and compiling half a megabyte of JavaScript.
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  futimesSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { homeFolder } from "../../core/home.js";
import { dirname, join, posix, win32 } from "node:path";
import { Script } from "node:vm";
import { SAVE_COMPILE_CACHE } from "./compile-cache-hook.js";
import { withCacheChecksum } from "./v8-flags.js";

const SUFFIX = ".v8cache";
/** Other builds' caches (another installed version, an older Node) go once they are unused for this long. */
const STALE_MS = 30 * 24 * 3600_000;
/** A cache in use is marked as such (its time set to now) when its time is older than this: once a day at most. */
const TOUCH_MS = 24 * 3600_000;

/**
 * The user's own cache folder (never a shared temporary one: a code cache is code). Node's variables decide as they
 * do for its own compile cache: NODE_COMPILE_CACHE names the parent folder, NODE_DISABLE_COMPILE_CACHE turns it off.
 * A relative or empty base (HOME="", a relative XDG_CACHE_HOME) would put it in whatever folder the server starts
 * in: then there is none.
 */
export function cacheDirectory(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  home: string | undefined,
): string | undefined {
  if (env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const paths = platform === "win32" ? win32 : posix;
  const under = (base: string | undefined, ...parts: string[]) =>
    base && paths.isAbsolute(base) ? paths.join(base, ...parts) : undefined;
  if (env.NODE_COMPILE_CACHE) return under(env.NODE_COMPILE_CACHE, "isc-identities-mcp");
  if (platform === "win32") return under(env.LOCALAPPDATA, "isc-identities-mcp", "Cache");
  if (platform === "darwin") return under(home, "Library", "Caches", "isc-identities-mcp");
  // The XDG spec says a relative XDG_CACHE_HOME is to be ignored.
  return under(env.XDG_CACHE_HOME, "isc-identities-mcp") ?? under(home, ".cache", "isc-identities-mcp");
}

/**
 * One cache file per bundle build and Node binary. `bundleKey` is a hash of the bundle's text, made at build time:
 * V8 checks its own version and flags but only the length of the source, so the key keeps a rebuilt bundle from
 * running another build's code.
 */
function cacheFileName(bundleKey: string): string {
  return `${bundleKey}-${process.version}-${process.arch}${SUFFIX}`;
}

/** On POSIX, what this user alone can write: owned by us, and neither group- nor world-writable. */
function privateToUs(s: { uid: number; mode: number }): boolean {
  const uid = process.getuid?.();
  return uid === undefined || (s.uid === uid && (s.mode & 0o022) === 0); // Windows: the per-user LOCALAPPDATA is the boundary.
}

/**
 * The cache folder, if it is ours. A link to a folder of ours is fine (a cache on another disk); a folder of ours that
 * others may write to (a umask of 002 made it) loses that write bit; anyone else's is not used.
 */
function ourFolder(dir: string): boolean {
  const s = statSync(dir);
  if (!s.isDirectory()) return false;
  if (privateToUs(s)) return true;
  if (s.uid !== process.getuid?.()) return false;
  chmodSync(dir, s.mode & 0o7777 & ~0o022);
  return privateToUs(statSync(dir));
}

/**
 * The cache's bytes, read from the file opened without following a link and checked on that same open file. Its time
 * is "last used": another build's start prunes by it, so a version in daily use keeps its cache.
 */
function readOurs(file: string): Buffer | undefined {
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  try {
    const s = fstatSync(fd);
    if (!(s.isFile() && privateToUs(s))) return undefined;
    if (Date.now() - s.mtimeMs > TOUCH_MS) markUsed(fd, file);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Sets the cache's time to now. A read-only disk only means it may be pruned a month on and written again. */
function markUsed(fd: number, file: string): void {
  const now = Date.now() / 1000;
  try {
    // Windows opens a read-only file without the right to set its times: there by name (the folder is ours).
    if (process.platform === "win32") utimesSync(file, now, now);
    else futimesSync(fd, now, now);
  } catch {
    // The cache still runs.
  }
}

/** Runs `file` (a CommonJS bundle) as `require` would, compiled from the cache when one matches. Never fails for the cache's sake. */
export function runWithCompileCache(file: string, bundleKey: string): void {
  const dir = cacheDirectory(process.env, process.platform, homeFolder());
  const require = createRequire(file);
  if (!dir) {
    require(file);
    return;
  }
  const cacheFile = join(dir, cacheFileName(bundleKey));
  let cachedData: Buffer | undefined;
  try {
    if (ourFolder(dir)) cachedData = readOurs(cacheFile);
  } catch {
    // No cache yet (the first start), or unreadable: compile, and write one later.
  }
  // The wrapper adds no line, so stack traces keep the bundle's line numbers. The bundle has no import(): a script
  // compiled here could not run one without an experimental loader.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "utf8")}\n})`;
  // A damaged cache is refused (not run): V8 checks its checksum while reading it (src/cli/boot/v8-flags.ts).
  const script = withCacheChecksum(
    () => new Script(wrapped, { filename: file, ...(cachedData ? { cachedData } : {}) }),
  );
  let pending = !cachedData || script.cachedDataRejected === true;
  (globalThis as { [SAVE_COMPILE_CACHE]?: () => void })[SAVE_COMPILE_CACHE] = () => {
    if (!pending) return;
    pending = false;
    writeCache(dir, cacheFile, script);
  };
  const module = { exports: {} };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, require, module, file, dirname(file));
}

/** Written beside, then renamed: replicas or test runs starting together never read half a file. */
function writeCache(dir: string, cacheFile: string, script: Script): void {
  // A fresh name, created exclusively: never through a link someone left there, never two writers on one file.
  const partial = `${cacheFile}.${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.partial`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ourFolder(dir)) return;
    const data = withCacheChecksum(() => script.createCachedData());
    const fd = openSync(partial, "wx", 0o600);
    try {
      writeFileSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, cacheFile);
    prune(dir, cacheFile);
  } catch {
    // A read-only or full disk only costs the next start its head start.
    try {
      unlinkSync(partial);
    } catch {
      // Never created, or already renamed.
    }
  }
}

/** Other caches unused for a month (two installed versions, or two Nodes, each keep theirs meanwhile), and torn writes. */
function prune(dir: string, current: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    try {
      const age = now - lstatSync(path).mtimeMs;
      const otherBuild = name.endsWith(SUFFIX) && path !== current && age > STALE_MS;
      // What a start that died mid-write left (not one another start is writing right now).
      const torn = name.endsWith(".partial") && age > 60_000;
      if (otherBuild || torn) unlinkSync(path);
    } catch {
      // Gone already (another start pruning too), or in use (Windows): the next write tries again.
    }
  }
}

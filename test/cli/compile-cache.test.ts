// The shipped entry runs the CLI through a V8 code cache: written by the first start, used (not rewritten) by the next,
// replaced when it does not match, and never a reason for a start to fail.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, describe, expect, it } from "vitest";
import { cacheDirectory } from "../../src/cli/boot/compile-cache.js";
import { HEAP_GROWING, V8_FLAGS } from "../../src/cli/boot/v8-flags.js";
import { TOOLS } from "../../tools/index.js";
import { cleanEnv, cliStarts } from "../support/cli-process.js";

const ENTRY = fileURLToPath(new URL("../../dist/bundle/src/cli/main.js", import.meta.url));
const CLI_CJS = fileURLToPath(new URL("../../dist/bundle/src/cli/cli.cjs", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "isc-compile-cache-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** One start of the shipped entry with --sandbox: initialize, tools/list, then stdin closes (the server shuts down). */
async function start(env: Record<string, string>): Promise<string[]> {
  if (!existsSync(ENTRY)) throw new Error("dist/bundle is missing: run `npm run build` (npm test does it for you)");
  const client = new Client(
    { name: "compile-cache-test", version: "1.0.0" },
    { capabilities: { elicitation: { form: {} } } },
  );
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [ENTRY, "--sandbox"],
      env: { ...cleanEnv(), ...env },
      stderr: "pipe",
    }),
  );
  const { tools } = await client.listTools();
  await client.close();
  return tools.map((t) => t.name);
}

const caches = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".v8cache")) : []);
/** A rewrite is a new file renamed over the old one: another inode, even if V8 wrote the same bytes. */
const identity = (file: string) => statSync(file).ino;
const posix = process.platform !== "win32";
const ALL = TOOLS.map((t) => t.name);

describe("the code cache of the shipped entry", cliStarts(8), () => {
  it("is written by the first start, for this Node, and left as it is by the next start, which uses it", async () => {
    const parent = join(work, "fresh");
    const dir = join(parent, "isc-identities-mcp");
    expect(await start({ NODE_COMPILE_CACHE: parent })).toEqual(ALL);
    const [name] = caches(dir);
    // Named by the exact text of the shipped cli.cjs: a rebuilt bundle never runs another build's code.
    const key = createHash("sha256").update(readFileSync(CLI_CJS)).digest("hex").slice(0, 16);
    expect(name).toBe(`${key}-${process.version}-${process.arch}.v8cache`);
    const file = join(dir, name!);
    // The cache holds what the start compiled, not just the top level: a few hundred KB for this bundle.
    expect(readFileSync(file).length).toBeGreaterThan(100_000);
    const before = identity(file);
    expect(await start({ NODE_COMPILE_CACHE: parent })).toEqual(ALL);
    // V8 accepted it: a rejected cache would have been written anew.
    expect(caches(dir)).toEqual([name]);
    expect(identity(file)).toBe(before);
  });

  it("refuses a cache whose bytes were damaged (V8's checksum) and writes a good one, instead of crashing at every start", async () => {
    const parent = join(work, "damaged");
    const dir = join(parent, "isc-identities-mcp");
    await start({ NODE_COMPILE_CACHE: parent });
    const [name] = caches(dir);
    const file = join(dir, name!);
    const bytes = readFileSync(file);
    // The header stays intact (so V8's version and flag checks pass); a few bytes in the middle are flipped.
    const middle = Math.floor(bytes.length / 2);
    for (let i = middle; i < middle + 8; i++) bytes.writeUInt8(bytes.readUInt8(i) ^ 0xff, i);
    writeFileSync(file, bytes);
    const damaged = identity(file);
    expect(await start({ NODE_COMPILE_CACHE: parent })).toEqual(ALL);
    expect(identity(file)).not.toBe(damaged);
    expect(await start({ NODE_COMPILE_CACHE: parent })).toEqual(ALL);
  });

  it.skipIf(!posix)(
    "does not run a cache others could have written (group- or world-writable): it writes its own",
    async () => {
      const parent = join(work, "shared");
      const dir = join(parent, "isc-identities-mcp");
      await start({ NODE_COMPILE_CACHE: parent });
      const [name] = caches(dir);
      const file = join(dir, name!);
      chmodSync(file, 0o666);
      const planted = identity(file);
      expect(await start({ NODE_COMPILE_CACHE: parent })).toEqual(ALL);
      expect(identity(file)).not.toBe(planted);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    },
  );

  it.skipIf(!posix)(
    "follows a linked cache folder of the user's own, takes the write bit a umask gave others, and never reads through a linked file",
    async () => {
      // The folder is a link to one on another disk, and a umask of 002 left it group-writable.
      const parent = join(work, "linked");
      const real = join(work, "linked-target");
      mkdirSync(parent);
      mkdirSync(real);
      chmodSync(real, 0o775);
      symlinkSync(real, join(parent, "isc-identities-mcp"));
      expect(await start({ NODE_COMPILE_CACHE: parent })).toEqual(ALL);
      const [name] = caches(real);
      expect(name).toBeDefined();
      expect(statSync(real).mode & 0o777).toBe(0o755);
      // A link planted at the cache's name (here to a genuine cache elsewhere) is not followed: it is replaced by a file.
      const elsewhere = join(work, "elsewhere.v8cache");
      renameSync(join(real, name!), elsewhere);
      symlinkSync(elsewhere, join(real, name!));
      expect(await start({ NODE_COMPILE_CACHE: parent })).toEqual(ALL);
      expect(lstatSync(join(real, name!)).isFile()).toBe(true);
    },
  );

  it("marks a cache it uses as used (once a day at most), so another build's start does not prune a version in daily use", async () => {
    const parent = join(work, "in-use");
    const dir = join(parent, "isc-identities-mcp");
    await start({ NODE_COMPILE_CACHE: parent });
    const file = join(dir, caches(dir)[0]!);
    const before = identity(file);
    const monthAgo = new Date(Date.now() - 31 * 24 * 3_600_000);
    utimesSync(file, monthAgo, monthAgo);
    expect(await start({ NODE_COMPILE_CACHE: parent })).toEqual(ALL);
    // Used, not rewritten: the same file, its time now.
    expect(identity(file)).toBe(before);
    expect(statSync(file).mtimeMs).toBeGreaterThan(monthAgo.getTime() + 30 * 24 * 3_600_000);
    // Used again within the day: left as it is (no write at every start).
    // Whole seconds: a millisecond time set by utimes can read back a hair off (…883 as …882.999).
    const hourAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    utimesSync(file, hourAgo, hourAgo);
    expect(await start({ NODE_COMPILE_CACHE: parent })).toEqual(ALL);
    expect(statSync(file).mtimeMs).toBe(hourAgo.getTime());
  });

  it("sets no V8 flag while a start runs (the checksum only around reading the cache), the heap flag once start-up is over and the first call's modules are loaded, and the next start still uses the cache", async () => {
    const parent = join(work, "long");
    const dir = join(parent, "isc-identities-mcp");
    const log = join(work, "flags.log");
    const probe = fileURLToPath(new URL("../support/v8-flag-probe.cjs", import.meta.url));
    const client = new Client({ name: "compile-cache-test", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: ["-r", probe, ENTRY, "--sandbox"],
        env: { ...cleanEnv(), NODE_COMPILE_CACHE: parent, ISC_TEST_FLAGS_OUT: log },
        stderr: "pipe",
      }),
    );
    await client.listTools();
    // Start-up is over once the first start has written its cache (serve.ts); the heap flag is set right after.
    await expect.poll(() => caches(dir).length, { timeout: 20_000, interval: 100 }).toBe(1);
    await expect.poll(() => readFileSync(log, "utf8"), { timeout: 20_000, interval: 100 }).toContain(HEAP_GROWING);
    const file = join(dir, caches(dir)[0]!);
    const written = identity(file);
    const listed = await client.callTool({ name: "list_identities", arguments: { limit: 1 } });
    expect(listed.isError).toBeFalsy();
    await client.close();
    await expect.poll(() => readFileSync(log, "utf8"), { timeout: 20_000, interval: 100 }).toContain("loaded after");
    const lines = readFileSync(log, "utf8").trim().split("\n");
    const tag = (line: string | undefined) => line?.split(" ")[1];
    // Nothing but the checksum, on and off again, before the first answer: Node's modules kept their own code.
    expect(lines.slice(1, 4).map((l) => l.replace(/ \d+$/, ""))).toEqual([
      "set --verify-snapshot-checksum",
      "set --no-verify-snapshot-checksum",
      "answer",
    ]);
    expect(tag(lines[3])).toBe(tag(lines[0]));
    // Then the cache, written under the checksum with no heap flag, what the first tool call needs, and the heap flag;
    // the call after it loaded no Node module (one loaded then would compile from source).
    expect(lines.slice(4)).toEqual([
      "set --verify-snapshot-checksum",
      "set --no-verify-snapshot-checksum",
      `set ${HEAP_GROWING}`,
      "loaded after the heap flag:",
    ]);
    expect(await start({ NODE_COMPILE_CACHE: parent })).toEqual(ALL);
    // Accepted by the next start: not written again.
    expect(identity(file)).toBe(written);
  });

  it("reads and writes a cache with V8's checksum on and the heap flag off, and leaves every flag as it found it", () => {
    // In a Node of its own: flags are process-wide. V8's cachedDataVersionTag() folds in every flag set.
    const flags = pathToFileURL(fileURLToPath(new URL("../../dist/src/cli/boot/v8-flags.js", import.meta.url))).href;
    const script = `
      import { cachedDataVersionTag as tag } from "node:v8";
      import { setHeapFlag, withCacheChecksum } from ${JSON.stringify(flags)};
      const start = tag();
      const reading = withCacheChecksum(tag);
      const afterReading = tag();
      setHeapFlag();
      const heap = tag();
      const writing = withCacheChecksum(tag);
      console.log(JSON.stringify({ start, reading, afterReading, heap, writing, afterWriting: tag() }));`;
    const t = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }));
    expect(t.reading).not.toBe(t.start);
    expect(t.afterReading).toBe(t.start);
    expect(t.heap).not.toBe(t.start);
    // A cache written once the heap flag is on matches the flags of the next start's read.
    expect(t.writing).toBe(t.reading);
    expect(t.afterWriting).toBe(t.heap);
    // Node started with the checksum on keeps it on.
    const on = JSON.parse(
      execFileSync(process.execPath, ["--verify-snapshot-checksum", "--input-type=module", "-e", script], {
        encoding: "utf8",
      }),
    );
    expect(on.reading).toBe(on.start);
    expect(on.afterReading).toBe(on.start);
  });

  it("sets only V8 flags this Node knows (V8 ignores all flags after one it does not)", () => {
    const known = execFileSync(process.execPath, ["--v8-options"], { encoding: "utf8" });
    for (const flag of V8_FLAGS) expect(known).toContain(`  ${flag.replace(/=.*/, "")} `);
  });

  it("replaces a cache V8 rejects (here: garbage), and removes month-old caches of other builds and stale partial files when it writes", async () => {
    const parent = join(work, "bad");
    const dir = join(parent, "isc-identities-mcp");
    await start({ NODE_COMPILE_CACHE: parent });
    const [name] = caches(dir);
    writeFileSync(join(dir, name!), "not a code cache");
    const monthAgo = new Date(Date.now() - 31 * 24 * 3_600_000);
    const old = join(dir, "0123456789abcdef-v20.0.0-x64.v8cache");
    writeFileSync(old, "an older build's cache, unused for a month");
    utimesSync(old, monthAgo, monthAgo);
    // Another installed version's cache, in use: kept, so two versions do not keep replacing each other's.
    writeFileSync(join(dir, "fedcba9876543210-v20.0.0-x64.v8cache"), "another version's cache");
    // What a start that died while writing left an hour ago, and one another start is writing right now.
    const stale = join(dir, `${name}.123.partial`);
    writeFileSync(stale, "half");
    utimesSync(stale, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    writeFileSync(join(dir, `${name}.456.partial`), "being written");
    expect(await start({ NODE_COMPILE_CACHE: parent })).toEqual(ALL);
    expect(caches(dir).sort()).toEqual([name, "fedcba9876543210-v20.0.0-x64.v8cache"].sort());
    expect(readdirSync(dir).filter((f) => f.endsWith(".partial"))).toEqual([`${name}.456.partial`]);
    expect(readFileSync(join(dir, name!)).length).toBeGreaterThan(100_000);
  });

  it("is not written with NODE_DISABLE_COMPILE_CACHE, and a folder that cannot be made does not stop a start", async () => {
    const parent = join(work, "off");
    expect(await start({ NODE_COMPILE_CACHE: parent, NODE_DISABLE_COMPILE_CACHE: "1" })).toEqual(ALL);
    expect(existsSync(parent)).toBe(false);
    const blocker = join(work, "a-file");
    writeFileSync(blocker, "");
    expect(await start({ NODE_COMPILE_CACHE: join(blocker, "under-a-file") })).toEqual(ALL);
  });

  it("lives in the user's own cache folder on each platform, never a shared temporary one", () => {
    expect(cacheDirectory({}, "linux", "/home/ann")).toBe("/home/ann/.cache/isc-identities-mcp");
    expect(cacheDirectory({ XDG_CACHE_HOME: "/var/cache/ann" }, "linux", "/home/ann")).toBe(
      "/var/cache/ann/isc-identities-mcp",
    );
    expect(cacheDirectory({}, "darwin", "/Users/ann")).toBe("/Users/ann/Library/Caches/isc-identities-mcp");
    expect(cacheDirectory({ LOCALAPPDATA: "C:\\Users\\ann\\AppData\\Local" }, "win32", "C:\\Users\\ann")).toMatch(
      /isc-identities-mcp[\\/]Cache$/,
    );
    expect(cacheDirectory({}, "win32", "C:\\Users\\ann")).toBeUndefined();
    expect(cacheDirectory({ NODE_COMPILE_CACHE: "/tmp/nc" }, "linux", "/home/ann")).toBe("/tmp/nc/isc-identities-mcp");
    expect(
      cacheDirectory({ NODE_DISABLE_COMPILE_CACHE: "1", NODE_COMPILE_CACHE: "/tmp/nc" }, "linux", "/home/ann"),
    ).toBeUndefined();
    // Never relative to wherever the server was started: no home, an empty or relative one, a relative override.
    expect(cacheDirectory({}, "linux", undefined)).toBeUndefined();
    expect(cacheDirectory({}, "linux", "")).toBeUndefined();
    expect(cacheDirectory({}, "darwin", "relative/home")).toBeUndefined();
    expect(cacheDirectory({ XDG_CACHE_HOME: "cache" }, "linux", "/home/ann")).toBe(
      "/home/ann/.cache/isc-identities-mcp",
    );
    expect(cacheDirectory({ NODE_COMPILE_CACHE: "cache" }, "linux", "/home/ann")).toBeUndefined();
    expect(cacheDirectory({ LOCALAPPDATA: "AppData" }, "win32", "C:\\Users\\ann")).toBeUndefined();
  });
});

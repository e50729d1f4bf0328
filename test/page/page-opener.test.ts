// The browser opener: BROWSER (or the desktop's opener) gets a private file that leads to the page, never the page's URL; a command that fails is a failure.
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createHandoffs } from "../../src/guard/page/handoff.js";
import { browserOpener, type BrowserOpener } from "../../src/guard/page/opener.js";
import { pageUrlOf, unusedXDisplay } from "../support/confirm-e2e.js";

const scratch = () => mkdtempSync(join(tmpdir(), "isc-mcp-opener-"));

/** A script that records its arguments, the file the one holding a file URL names, and that file's and folder's modes; then runs `tail`. */
function recorder(tail: (dir: string) => string = () => "exit 0"): { script: string; out: string; dir: string } {
  const dir = scratch();
  const out = join(dir, "seen.json");
  const script = join(dir, "my browser.sh");
  const record =
    `const fs=require("fs"),u=require("url");const a=process.argv.slice(2);const t=a.find(x=>x.includes("file://"));const f=u.fileURLToPath(t.slice(t.indexOf("file://")));` +
    `fs.writeFileSync(process.argv[1],JSON.stringify({args:a,html:fs.readFileSync(f,"utf8"),file:(fs.statSync(f).mode&0o777).toString(8),folder:(fs.statSync(require("path").dirname(f)).mode&0o777).toString(8)}))`;
  writeFileSync(script, `#!/bin/sh\nnode -e '${record}' "${out}" "$@"\n${tail(dir)}\n`);
  chmodSync(script, 0o755);
  return { script, out, dir };
}

interface Seen {
  args: string[];
  html: string;
  file: string;
  folder: string;
}
/** What the recorder wrote, once it has (a browser command may still run when `open` resolves). */
async function seen(out: string): Promise<Seen> {
  const read = () => {
    try {
      return JSON.parse(readFileSync(out, "utf8")) as Seen;
    } catch {
      return undefined;
    }
  };
  await expect.poll(read).toBeDefined();
  return read()!;
}

function available(opener: BrowserOpener): Extract<BrowserOpener, { available: true }> {
  if (!opener.available) throw new Error(`expected an available opener: ${opener.why}`);
  return opener;
}

/** A grace no machine's load reaches: the commands below end (or not) on their own, so nothing here depends on timing. */
const LONG = 60_000;

describe("the browser opener", () => {
  const url = "http://127.0.0.1:4711/confirm/Abc123_-pageIdOfTwentyFour;$(touch /tmp/pwned)&x=`id`";
  const pageId = "Abc123_-pageIdOfTwentyFour";

  it("hands BROWSER a file URL that says nothing of the page; the file (0600, in a 0700 folder) leads to it", async () => {
    const { script, out } = recorder();
    const folder = scratch();
    const opener = available(
      browserOpener({
        env: { BROWSER: script },
        platform: "linux",
        graceMs: LONG,
        handoffs: createHandoffs(() => folder),
      }),
    );
    const page = await opener.open(url);
    const s = await seen(out);
    expect(s.args).toHaveLength(1);
    expect(s.args[0]).toMatch(/^file:\/\/\/.+\.html$/);
    expect(s.args.join(" ")).not.toContain(pageId);
    expect(s.args.join(" ")).not.toContain("127.0.0.1");
    expect(pageUrlOf(s.html)).toBe(url);
    expect(s.html).toContain(`location.replace(${JSON.stringify(url)})`);
    expect([s.file, s.folder]).toEqual(["600", "700"]);
    expect(existsSync("/tmp/pwned")).toBe(false);
    const file = fileURLToPath(s.args[0]!);
    expect(existsSync(file)).toBe(true);
    page.discard();
    expect(existsSync(file)).toBe(false);
    page.discard();
  });

  it("puts the file URL where BROWSER says %s", async () => {
    const { script, out, dir } = recorder();
    const linked = join(dir, "b");
    writeFileSync(linked, readFileSync(script));
    chmodSync(linked, 0o755);
    const opener = available(
      browserOpener({ env: { BROWSER: `${linked} --new-tab=%s --x` }, platform: "linux", graceMs: LONG }),
    );
    const page = await opener.open(url);
    const args = (await seen(out)).args;
    expect(args).toEqual([expect.stringMatching(/^--new-tab=file:\/\/\/.+\.html$/), "--x"]);
    expect(args.join(" ")).not.toContain(pageId);
    page.discard();
  });

  it("a BROWSER that exits non-zero has failed, and what it was handed is deleted", async () => {
    const folder = scratch();
    const opener = available(
      browserOpener({
        env: { BROWSER: "/bin/false" },
        platform: "linux",
        graceMs: LONG,
        handoffs: createHandoffs(() => folder),
      }),
    );
    await expect(opener.open(url)).rejects.toThrow(/^BROWSER exited with status 1$/);
    expect(readdirSync(folder).flatMap((d) => readdirSync(join(folder, d)))).toEqual([]);
  });

  it("a BROWSER ended by a signal has failed", async () => {
    const { script } = recorder(() => "kill -TERM $$");
    const opener = available(browserOpener({ env: { BROWSER: script }, platform: "linux", graceMs: LONG }));
    await expect(opener.open(url)).rejects.toThrow(/^BROWSER was ended by SIGTERM$/);
  });

  it("says BROWSER failed to start rather than pretending", async () => {
    const opener = available(
      browserOpener({ env: { BROWSER: "/nonexistent/browser" }, platform: "linux", graceMs: LONG }),
    );
    await expect(opener.open(url)).rejects.toThrow(/^BROWSER could not be started: .*ENOENT/);
  });

  it("a BROWSER still running when the grace is over has opened the page (it is the browser)", async () => {
    // The pid is written before anything else, so the test can end the "browser" whatever it got to.
    const { script } = recorder(() => "exec sleep 30");
    const pidFile = join(scratch(), "pid");
    writeFileSync(
      script,
      readFileSync(script, "utf8").replace("#!/bin/sh\n", () => `#!/bin/sh\necho $$ > '${pidFile}'\n`),
    );
    const opener = available(browserOpener({ env: { BROWSER: script }, platform: "linux", graceMs: 0 }));
    const page = await opener.open(url);
    await expect.poll(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\n")).toBe(true);
    // Still running: it is what was opened, and it is ended here.
    expect(() => process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL")).not.toThrow();
    page.discard();
  });

  it("the desktop's opener gets the same file, and its failure is one too", async () => {
    const { script, out } = recorder();
    const display = createServer();
    const socket = join(scratch(), "wayland-0");
    await new Promise<void>((r) => display.listen(socket, r));
    try {
      const env = { WAYLAND_DISPLAY: socket };
      const opener = available(
        browserOpener({
          env,
          platform: "linux",
          graceMs: LONG,
          openWith: async (target) => spawn(script, [target], { stdio: "ignore" }),
        }),
      );
      expect(opener.how).toBe("the system's default browser");
      const page = await opener.open(url);
      expect((await seen(out)).args).toEqual([expect.stringMatching(/^file:\/\/\/.+\.html$/)]);
      expect(pageUrlOf((await seen(out)).html)).toBe(url);
      page.discard();
      const failing = available(
        browserOpener({
          env,
          platform: "linux",
          graceMs: LONG,
          openWith: async () => spawn("/bin/false", [], { stdio: "ignore" }),
        }),
      );
      await expect(failing.open(url)).rejects.toThrow(/^the system's browser opener exited with status 1$/);
    } finally {
      display.close();
    }
  });

  it("is unavailable without BROWSER and without a desktop that is really there; the system browser with one", async () => {
    const none = browserOpener({ env: {}, platform: "linux" });
    expect(none.available).toBe(false);
    if (!none.available) expect(none.why).toContain("no BROWSER command");
    expect(browserOpener({ env: { SSH_CONNECTION: "1.2.3.4 5 6.7.8.9 22" }, platform: "darwin" }).available).toBe(
      false,
    );
    expect(browserOpener({ env: {}, platform: "darwin" }).available).toBe(true);
    // A display on another host (X forwarding) cannot be checked cheaply and is trusted.
    expect(browserOpener({ env: { DISPLAY: "remote.example:10.0" }, platform: "linux" }).available).toBe(true);
    // A local display with no X server behind it: a browser started there fails, often after its opener exited 0.
    const free = unusedXDisplay();
    const noX = browserOpener({ env: { DISPLAY: `:${free}` }, platform: "linux" });
    expect(noX.available).toBe(false);
    if (!noX.available)
      expect(noX.why).toBe(
        `no BROWSER command is set and no desktop session can show a browser (DISPLAY is ":${free}", but no X server listens there)`,
      );
    const runtime = scratch();
    expect(
      browserOpener({ env: { WAYLAND_DISPLAY: "wayland-0", XDG_RUNTIME_DIR: runtime }, platform: "linux" }).available,
    ).toBe(false);
    const display = createServer();
    await new Promise<void>((r) => display.listen(join(runtime, "wayland-0"), r));
    try {
      const wayland = browserOpener({
        env: { WAYLAND_DISPLAY: "wayland-0", XDG_RUNTIME_DIR: runtime },
        platform: "linux",
      });
      expect(wayland.available && wayland.how).toBe("the system's default browser");
    } finally {
      display.close();
    }
  });
});

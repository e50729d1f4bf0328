// The browser opener: BROWSER (or the desktop's opener) gets a private file that leads to the page, never the page's URL.
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createHandoffs } from "../src/guard/page/handoff.js";
import { browserOpener, type BrowserOpener } from "../src/guard/page/opener.js";
import { pageUrlOf } from "./support/confirm-e2e.js";

const scratch = () => mkdtempSync(join(tmpdir(), "isc-mcp-opener-"));

/** A script that records its arguments, the file the one holding a file URL names, and that file's and folder's modes; then runs `tail`. */
function recorder(tail: (dir: string) => string = () => "exit 0"): { script: string; out: string; dir: string } {
  const dir = scratch();
  const out = join(dir, "seen.json");
  const script = join(dir, "my browser.sh");
  const record = `const fs=require("fs"),u=require("url");const a=process.argv.slice(2);const t=a.find(x=>x.includes("file://"));const f=u.fileURLToPath(t.slice(t.indexOf("file://")));` +
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

describe("the browser opener", () => {
  const url = "http://127.0.0.1:4711/confirm/Abc123_-pageIdOfTwentyFour;$(touch /tmp/pwned)&x=`id`";
  const pageId = "Abc123_-pageIdOfTwentyFour";

  it("hands BROWSER a file URL that says nothing of the page; the file (0600, in a 0700 folder) leads to it", async () => {
    const { script, out } = recorder();
    const folder = scratch();
    const opener = available(browserOpener({ env: { BROWSER: script }, platform: "linux", handoffs: createHandoffs(() => folder) }));
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
    const opener = available(browserOpener({ env: { BROWSER: `${linked} --new-tab=%s --x` }, platform: "linux" }));
    const page = await opener.open(url);
    const args = (await seen(out)).args;
    expect(args).toEqual([expect.stringMatching(/^--new-tab=file:\/\/\/.+\.html$/), "--x"]);
    expect(args.join(" ")).not.toContain(pageId);
    page.discard();
  });

  it("says BROWSER failed to start rather than pretending", async () => {
    const opener = available(browserOpener({ env: { BROWSER: "/nonexistent/browser" }, platform: "linux" }));
    await expect(opener.open(url)).rejects.toThrow(/^BROWSER could not be started: .*ENOENT/);
  });

  it("is unavailable without BROWSER and without a desktop; the system browser with one", () => {
    const none = browserOpener({ env: {}, platform: "linux" });
    expect(none.available).toBe(false);
    if (!none.available) expect(none.why).toContain("no BROWSER command");
    expect(browserOpener({ env: { SSH_CONNECTION: "1.2.3.4 5 6.7.8.9 22" }, platform: "darwin" }).available).toBe(false);
    const x11 = browserOpener({ env: { DISPLAY: ":0" }, platform: "linux" });
    expect(x11.available && x11.how).toBe("the system's default browser");
    expect(browserOpener({ env: {}, platform: "darwin" }).available).toBe(true);
  });
});

// The browser opener: BROWSER gets the URL as its one argument (no shell); without it, a desktop is needed.
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { browserOpener } from "../src/guard/page/opener.js";

function recorder(): { script: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "isc-mcp-browser-"));
  const out = join(dir, "args.json");
  const script = join(dir, "my browser.sh");
  writeFileSync(script, `#!/bin/sh\nnode -e 'require("fs").writeFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)))' "${out}" "$@"\n`);
  chmodSync(script, 0o755);
  return { script, out };
}

async function argsWritten(out: string): Promise<string[]> {
  for (let i = 0; i < 100 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 50));
  return JSON.parse(readFileSync(out, "utf8")) as string[];
}

describe("the browser opener", () => {
  const url = "http://127.0.0.1:4711/confirm/abc;$(touch /tmp/pwned)&x=`id`";

  it("runs BROWSER with the URL as its one argument, shell characters and all", async () => {
    const { script, out } = recorder();
    const opener = browserOpener({ env: { BROWSER: script }, platform: "linux" });
    expect(opener.available).toBe(true);
    if (!opener.available) return;
    await opener.open(url);
    expect(await argsWritten(out)).toEqual([url]);
    expect(existsSync("/tmp/pwned")).toBe(false);
  });

  it("puts the URL where BROWSER says %s", async () => {
    const { script, out } = recorder();
    const dir = join(script, "..");
    const linked = join(dir, "b");
    writeFileSync(linked, readFileSync(script));
    chmodSync(linked, 0o755);
    const opener = browserOpener({ env: { BROWSER: `${linked} --new-tab=%s --x` }, platform: "linux" });
    if (!opener.available) throw new Error("expected available");
    await opener.open(url);
    expect(await argsWritten(out)).toEqual([`--new-tab=${url}`, "--x"]);
  });

  it("says BROWSER failed to start rather than pretending", async () => {
    const opener = browserOpener({ env: { BROWSER: "/nonexistent/browser" }, platform: "linux" });
    if (!opener.available) throw new Error("expected available");
    await expect(opener.open(url)).rejects.toThrow(/BROWSER could not be started/);
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

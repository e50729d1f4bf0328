// A human answers, not the model or the host: the page's URL is in no process's arguments.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../src/guard/audit.js";
import { describeWithBrowser, launchBrowser } from "./support/browser.js";
import { CLI, serveTenant, startStdioCli, type ServedTenant, type StdioCli } from "./support/cli-process.js";
import { browserScript, deletable, textOf } from "./support/confirm-e2e.js";
import { writeRequests } from "./support/guard-helpers.js";

let tenant: ServedTenant;
let ids: string[];
let next = 0;
const clis: StdioCli[] = [];
beforeAll(async () => {
  tenant = await serveTenant({ identities: 60 });
  ids = deletable(tenant.sandbox.state, 20);
}, 30_000);
afterEach(async () => {
  await Promise.all(clis.splice(0).map((c) => c.client.close()));
});
afterAll(async () => tenant?.served.close());

/** No desktop unless a test gives one: what BROWSER says is all the server has. */
const NO_DESKTOP = { DISPLAY: "", WAYLAND_DISPLAY: "", BROWSER: "" };

async function start(args: string[], env: Record<string, string>): Promise<StdioCli> {
  const cli = await startStdioCli(args, { ...tenant.env, ...NO_DESKTOP, ...env });
  clis.push(cli);
  return cli;
}
const del = (cli: StdioCli, identityId: string, extra: Record<string, unknown> = {}) =>
  cli.client.callTool({ name: "delete_identity", arguments: { identityId, ...extra } }, undefined, { timeout: 120_000 }) as Promise<CallToolResult>;
const deletesOf = (id: string) => writeRequests(tenant.sandbox).filter((r) => r.method === "DELETE" && r.path.endsWith(id));
const status = (r: CallToolResult) => (r.structuredContent as { status?: string } | undefined)?.status;
const nameOf = (id: string) => tenant.sandbox.state.identities.get(id)!.name;
const audits = (cli: StdioCli): AuditEntry[] =>
  cli.stderr().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as AuditEntry);
/** The audit lines once there are `n`: stderr and the result (stdout) are separate pipes, so the line may come after the result. */
async function auditsOnce(cli: StdioCli, n: number): Promise<AuditEntry[]> {
  await expect.poll(() => audits(cli).length).toBeGreaterThanOrEqual(n);
  return audits(cli);
}
const fresh = () => ids[next++]!;

/** Every process's command line on this machine now, one a line. */
function commandLines(): string {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, "utf8").replaceAll("\0", " ");
      } catch {
        return "";
      }
    })
    .join("\n");
}

describeWithBrowser("the page's secret in no process's arguments", () => {
  it("BROWSER gets a private file that leads to the page; no command line holds the page id while it runs; the page works end to end", async () => {
    const browser = await launchBrowser();
    try {
      const dir = mkdtempSync(join(tmpdir(), "isc-mcp-argv-"));
      const script = join(dir, "browser");
      // While it runs: its arguments, its own command line, every process's command line, the modes of the file and its folder.
      writeFileSync(
        script,
        `#!/bin/sh
printf '%s\\n' "$@" > '${dir}/argv'
tr '\\0' ' ' < /proc/$$/cmdline > '${dir}/self'
for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f"; echo; done > '${dir}/all' 2>/dev/null
p="\${1#file://}"
stat -c '%a' "$p" "\${p%/*}" > '${dir}/modes'
printf '%s\\n' "$1" > '${dir}/handed.tmp' && mv '${dir}/handed.tmp' '${dir}/handed'
`,
      );
      chmodSync(script, 0o755);
      const cli = await start(["--confirm", "strict", "--confirm-wait", "60"], { BROWSER: script });
      const id = fresh();
      const pending = del(cli, id);
      await expect.poll(() => existsSync(join(dir, "handed")), { timeout: 15_000 }).toBe(true);
      const handed = readFileSync(join(dir, "handed"), "utf8").trim();
      expect(handed).toMatch(/^file:\/\/\/.+\.html$/);

      const page = await browser.context.newPage();
      await page.goto(handed);
      await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/confirm\//);
      const pageId = new URL(page.url()).pathname.split("/").at(-1)!;
      expect(pageId).toMatch(/^[A-Za-z0-9_-]{24}$/);
      const all = readFileSync(join(dir, "all"), "utf8");
      // The scan did see the processes of this test: the server's own command line among them.
      expect(all).toContain(CLI);
      for (const seen of [readFileSync(join(dir, "argv"), "utf8"), readFileSync(join(dir, "self"), "utf8"), all, commandLines()]) {
        expect(seen).not.toContain(pageId);
        expect(seen).not.toContain("/confirm/");
      }
      expect(readFileSync(join(dir, "modes"), "utf8").split("\n").filter(Boolean)).toEqual(["600", "700"]);
      const file = fileURLToPath(handed);
      expect(existsSync(file)).toBe(true);

      expect(await page.locator("table").innerText()).toContain(nameOf(id));
      await page.fill("#name", nameOf(id));
      await page.click("button.go");
      await expect.poll(() => page.locator("h1").textContent()).toBe("Confirmed");
      const res = await pending;
      expect(res.isError, textOf(res)).toBeFalsy();
      expect(textOf(res)).toContain("was deleted");
      expect(deletesOf(id)).toHaveLength(1);
      // Answered: what led to the page is gone.
      await expect.poll(() => existsSync(file)).toBe(false);
      expect((await auditsOnce(cli, 1)).at(-1)).toMatchObject({ tool: "delete_identity", confirmation: "browser", outcome: "executed" });
      expect(cli.stderr()).not.toContain(pageId);
      await page.close();
    } finally {
      await browser.close();
    }
  });
});

describe("what the browser is handed", () => {
  it("a page left unanswered: its file and the private folder are deleted when the server shuts down", async () => {
    const script = browserScript();
    const cli = await startStdioCli(["--confirm", "strict", "--confirm-wait", "1"], { ...tenant.env, ...NO_DESKTOP, BROWSER: script.command });
    const res = await del(cli, fresh());
    expect(status(res), textOf(res)).toBe("confirmation_pending");
    const file = fileURLToPath(script.handed()[0]!);
    expect(existsSync(file)).toBe(true);
    // The end of stdin is a host's way to stop a stdio server.
    await cli.client.close();
    await expect.poll(() => existsSync(dirname(file))).toBe(false);
  });
});

// A human answers, not the model or the host: the page's URL is in no process's arguments, a browser that fails is a failure, a client that declines unseen is passed over; in both protocol eras.
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeWithBrowser, launchBrowser, type TestBrowser } from "../support/browser.js";
import {
  auditLinesOf,
  CLI_ERAS,
  eraTenantPerBlock,
  NO_DESKTOP,
  type CliEra,
  type EraCli,
  type EraClientOptions,
  type EraHuman,
} from "../support/cli-eras.js";
import { CLI } from "../support/cli-process.js";
import { browserScript, seenOf, textOf, unusedXDisplay } from "../support/confirm-e2e.js";
import type { AuditLine } from "../support/guard-helpers.js";
import { answer } from "../support/page-fixtures.js";

// Each case runs with each era's client on the spawned CLI's stdio: sdk 1.32 (2025, a confirmation is an
// elicitation/create) and the v2 client pinned to 2026-07-28 (a confirmation is a round's input request, answered in the
// call's next round with its requestState). The guard decides the same way in both: the form's answer is timed from the
// question's sending (the round that asked) to the round that answers, on its own clock, and the client is named by the
// clientInfo of initialize (2025) or of each request's envelope (2026).
const block = eraTenantPerBlock(60, 40);
const { deletesOf } = block;
let next = 0;
const fresh = () => block.ids[next++]!;

/** The CLI with these flags and environment (no desktop unless given), driven by `era`'s client; closed after the test. */
async function start(
  era: CliEra,
  args: string[],
  env: Record<string, string>,
  client: EraClientOptions = {},
): Promise<EraCli> {
  const cli = await era.stdio(args, { ...block.tenant.env, ...NO_DESKTOP, ...env }, client);
  block.clis.push(cli);
  return cli;
}
const del = (cli: EraCli, identityId: string, extra: Record<string, unknown> = {}) =>
  cli.call("delete_identity", { identityId, ...extra });
const status = (r: CallToolResult) => (r.structuredContent as { status?: string } | undefined)?.status;
const nameOf = (id: string) => block.tenant.sandbox.state.identities.get(id)!.name;
const audits = (cli: EraCli): AuditLine[] => auditLinesOf(cli.stderr());
/** The audit lines once there are `n`: stderr and the result (stdout) are separate pipes, so the line may come after the result. */
async function auditsOnce(cli: EraCli, n: number): Promise<AuditLine[]> {
  await expect.poll(() => audits(cli).length).toBeGreaterThanOrEqual(n);
  return audits(cli);
}

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
  // Chromium starts before the tests, not inside their 20 s: at load 20 its start alone took a good part of them.
  let browser: TestBrowser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  describe.each(CLI_ERAS)("$label", (era) => {
    it("BROWSER gets a private file that leads to the page; no command line holds the page id while it runs; the page works end to end", async () => {
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
      const cli = await start(era, ["--confirm", "strict", "--confirm-wait", "60"], { BROWSER: script });
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
      for (const seen of [
        readFileSync(join(dir, "argv"), "utf8"),
        readFileSync(join(dir, "self"), "utf8"),
        all,
        commandLines(),
      ]) {
        expect(seen).not.toContain(pageId);
        // A confirmation URL's path, not any "/confirm/": on a shared machine `vitest run test/confirm/…` is a command line too.
        expect(seen).not.toMatch(/\/\/[^\s/]+\/confirm\//);
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
      expect((await auditsOnce(cli, 1)).at(-1)).toMatchObject({
        tool: "delete_identity",
        era: era.era,
        confirmation: "browser",
        outcome: "executed",
      });
      expect(cli.stderr()).not.toContain(pageId);
      await page.close();
    });
  });
});

describe.each(CLI_ERAS)("what the browser is handed, $label", (era) => {
  it("a page left unanswered: its file and the private folder are deleted when the server shuts down", async () => {
    const script = browserScript();
    // Not closed after the test: closing it is the test.
    const cli = await era.stdio(["--confirm", "strict", "--confirm-wait", "1"], {
      ...block.tenant.env,
      ...NO_DESKTOP,
      BROWSER: script.command,
    });
    const id = fresh();
    const res = await del(cli, id);
    expect(status(res), textOf(res)).toBe("confirmation_pending");
    const file = fileURLToPath(script.handed()[0]!);
    expect(existsSync(file)).toBe(true);
    expect((await auditsOnce(cli, 1)).at(-1)).toMatchObject({
      era: era.era,
      outcome: "refused",
      reason: "confirmation-pending",
      confirmation: "browser",
    });
    // The end of stdin is a host's way to stop a stdio server.
    await cli.close();
    await expect.poll(() => existsSync(dirname(file))).toBe(false);
    expect(deletesOf(id)).toHaveLength(0);
  });
});

describe.each(CLI_ERAS)("a browser command that fails is a failure, $label", (era) => {
  // A grace longer than any load makes /bin/false's quick exit the only thing that decides.
  const GRACE = ["--browser-grace", "60"];

  it("strict, no other channel: refused naming the failure at once, not a page the model is told was opened; nothing deleted", async () => {
    const cli = await start(era, ["--confirm", "strict", "--confirm-wait", "45", ...GRACE], { BROWSER: "/bin/false" });
    const id = fresh();
    const res = await del(cli, id);
    expect(res.isError).toBe(true);
    expect(status(res)).not.toBe("confirmation_pending");
    expect(textOf(res)).toMatch(/^delete_identity refused: nothing was changed\. The identity was not deleted\./);
    expect(textOf(res)).toContain(
      "the confirmation page could not be opened in the user's browser: BROWSER exited with status 1",
    );
    expect(textOf(res)).not.toMatch(/opened a confirmation page|confirmationCode/);
    expect(deletesOf(id)).toHaveLength(0);
    expect((await auditsOnce(cli, 1)).at(-1)).toMatchObject({
      era: era.era,
      outcome: "refused",
      reason: "browser-failed",
      confirmation: "browser",
    });
  });

  it("strict, --confirm-via browser,url: the next channel (URL elicitation) is asked, and the human's yes there deletes once", async () => {
    const id = fresh();
    const asked: Array<Parameters<EraHuman>[0]> = [];
    const cli = await start(
      era,
      ["--confirm", "strict", "--confirm-via", "browser,url", ...GRACE],
      { BROWSER: "/bin/false" },
      {
        capabilities: { elicitation: { url: {} } },
        human: async (params) => {
          asked.push(params);
          // The human opens the page the client offers and confirms there.
          if (params.mode === "url")
            expect((await answer(params.url!, { answer: "confirm", name: nameOf(id) })).status).toBe(200);
          return { action: "accept" };
        },
      },
    );
    const res = await del(cli, id);
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(asked.map((p) => p.mode)).toEqual(["url"]);
    expect(deletesOf(id)).toHaveLength(1);
    expect((await auditsOnce(cli, 1)).at(-1)).toMatchObject({
      era: era.era,
      outcome: "executed",
      confirmation: "url",
      passedOver: [{ channel: "browser", reason: "browser-failed" }],
    });
  });

  it("auto: the next channel is the code, as if there were no browser", async () => {
    const cli = await start(era, ["--confirm", "auto", ...GRACE], { BROWSER: "/bin/false" });
    const id = fresh();
    const first = await del(cli, id);
    expect(status(first), textOf(first)).toBe("confirmation_required");
    expect((await auditsOnce(cli, 1)).at(-1)).toMatchObject({
      era: era.era,
      reason: "confirmation-required",
      confirmation: "code",
      passedOver: [{ channel: "browser", reason: "browser-failed" }],
    });
    expect(deletesOf(id)).toHaveLength(0);
    const code = (first.structuredContent as { confirmationCode: string }).confirmationCode;
    const second = await del(cli, id, { confirmationCode: code });
    expect(second.isError, textOf(second)).toBeFalsy();
    expect(deletesOf(id)).toHaveLength(1);
    expect((await auditsOnce(cli, 2)).at(-1)).toMatchObject({
      era: era.era,
      outcome: "executed",
      confirmation: "code",
    });
  });

  it("DISPLAY with no X server behind it: no browser channel; strict hides delete and refuses naming why, nothing deleted", async () => {
    const free = unusedXDisplay();
    const cli = await start(era, ["--confirm", "strict"], { DISPLAY: `:${free}` });
    expect((await cli.client.listTools()).tools.map((t) => t.name)).not.toContain("delete_identity");
    const id = fresh();
    const res = await del(cli, id);
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain(
      `(here no BROWSER command is set and no desktop session can show a browser (DISPLAY is ":${free}", but no X server listens there))`,
    );
    expect(deletesOf(id)).toHaveLength(0);
    expect((await auditsOnce(cli, 1)).at(-1)).toMatchObject({ era: era.era, outcome: "refused" });
  });
});

describe.each(CLI_ERAS)("a client that declines confirmations without showing them, $label", (era) => {
  const HOST = { name: "decline-bot", version: "9.9.9" };
  /** A client that declares form elicitation and declines every form at once, remembering each. */
  function decliner(): EraClientOptions & { forms: string[] } {
    const forms: string[] = [];
    return {
      info: HOST,
      capabilities: { elicitation: { form: {} } },
      forms,
      human: (p) => (forms.push(p.mode ?? "form"), { action: "decline" }),
    };
  }
  /** Any decline counts as automatic; 0 would count none: the clock's readings decide, not the machine's speed. */
  const ANY = ["--confirm-fast-answer", "3600"];

  it("the form is auto-declined, the browser page opens, and confirming there deletes once; the audit names both", async () => {
    const script = browserScript();
    const client = decliner();
    const cli = await start(
      era,
      ["--confirm", "strict", "--confirm-wait", "60", ...ANY],
      { BROWSER: script.command },
      client,
    );
    const id = fresh();
    const pending = del(cli, id);
    const url = await script.nth(1);
    expect(deletesOf(id)).toHaveLength(0);
    expect((await answer(url, { answer: "confirm", name: nameOf(id) })).status).toBe(200);
    const res = await pending;
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(textOf(res)).toContain("was deleted");
    expect(client.forms).toEqual(["form"]);
    expect(deletesOf(id)).toHaveLength(1);
    expect((await auditsOnce(cli, 1)).at(-1)).toMatchObject({
      era: era.era,
      outcome: "executed",
      confirmation: "browser",
      passedOver: [{ channel: "form", reason: "auto-declined" }],
    });
  });

  for (const mode of ["strict", "auto"]) {
    it(`${mode}: with no other human channel it is refused, saying what happened and what would work; never a code; the client is named once in the log`, async () => {
      const client = decliner();
      const cli = await start(era, ["--confirm", mode, ...ANY], {}, client);
      const id = fresh();
      const results: CallToolResult[] = [];
      for (let i = 0; i < 3; i++) results.push(await del(cli, id));
      for (const res of results) {
        expect(res.isError).toBe(true);
        expect(status(res)).not.toBe("confirmation_required");
        expect(seenOf(res)).not.toMatch(/confirmationCode"?\s*[:=]\s*"[^"]+"|confirmationCode "/);
        expect(textOf(res)).toMatch(
          /the MCP client declined the confirmation \(form\) \d+(\.\d+)? s after it was sent, faster than a person can read it, so this server takes it as the client's own answer, not a person's \(auto-declined\); and no other channel can reach a person here\./,
        );
        expect(textOf(res)).toContain("--confirm-via browser");
      }
      expect(client.forms).toHaveLength(3);
      expect(deletesOf(id)).toHaveLength(0);
      expect((await auditsOnce(cli, 3)).map((a) => [a.era, a.outcome, a.reason, a.confirmation])).toEqual(
        Array(3).fill([era.era, "refused", "auto-declined", "form"]),
      );
      const named = cli
        .stderr()
        .split("\n")
        .filter((l) => l.includes("declares elicitation but answered"));
      expect(named).toHaveLength(1);
      expect(named[0]).toMatch(
        /warn: The MCP client "decline-bot" "9\.9\.9" declares elicitation but answered 2 confirmations in a row \(yes, no or cancel\) within 3600 s/,
      );
      expect(named[0]).toContain("--confirm-via browser");
      expect(named[0]).toContain("--confirm-via url");
    });
  }

  it("a yes sent back faster than anyone reads (the right name typed at once) is auto-accepted, not acted on: the page asks instead, or the call is refused", async () => {
    const accepter = (): EraClientOptions & { forms: string[] } => {
      const forms: string[] = [];
      return {
        info: { name: "yes-bot", version: "1.0.0" },
        capabilities: { elicitation: { form: {} } },
        forms,
        human: (p) => (forms.push(p.mode ?? "form"), { action: "accept", content: { name: nameOf(current) } }),
      };
    };
    let current = fresh();
    // With a browser: the form's instant yes does not count; the person confirms on the page, and only that deletes.
    const script = browserScript();
    const withPage = await start(
      era,
      ["--confirm", "strict", "--confirm-wait", "60", ...ANY],
      { BROWSER: script.command },
      accepter(),
    );
    const pending = del(withPage, current);
    const url = await script.nth(1);
    expect(deletesOf(current)).toHaveLength(0);
    expect((await answer(url, { answer: "confirm", name: nameOf(current) })).status).toBe(200);
    expect(textOf(await pending)).toContain("was deleted");
    expect(deletesOf(current)).toHaveLength(1);
    expect((await auditsOnce(withPage, 1)).at(-1)).toMatchObject({
      era: era.era,
      outcome: "executed",
      confirmation: "browser",
      passedOver: [{ channel: "form", reason: "auto-accepted" }],
    });
    // Without one, strict or auto: refused, never a code, nothing deleted.
    for (const mode of ["strict", "auto"]) {
      current = fresh();
      const cli = await start(era, ["--confirm", mode, ...ANY], {}, accepter());
      const res = await del(cli, current);
      expect(res.isError).toBe(true);
      expect(seenOf(res)).not.toMatch(/confirmationCode"?\s*[:=]\s*"[^"]+"|confirmationCode "/);
      expect(textOf(res)).toMatch(
        /the MCP client said yes to the confirmation \(form\) \d+(\.\d+)? s after it was sent, faster than a person can read it, so this server takes it as the client's own answer, not a person's \(auto-accepted\)/,
      );
      expect(deletesOf(current)).toHaveLength(0);
      expect((await auditsOnce(cli, 1)).at(-1)).toMatchObject({
        era: era.era,
        outcome: "refused",
        reason: "auto-accepted",
        confirmation: "form",
      });
    }
  }, 60_000); // three servers started in turn

  it("--confirm-fast-answer 0: the same decline is a person's no; no page opens and the client is not named", async () => {
    const script = browserScript();
    const client = decliner();
    const cli = await start(
      era,
      ["--confirm", "strict", "--confirm-fast-answer", "0"],
      { BROWSER: script.command },
      client,
    );
    const id = fresh();
    for (let i = 0; i < 2; i++) {
      const res = await del(cli, id);
      expect(res.isError).toBe(true);
      expect(textOf(res)).toContain("the user declined the confirmation.");
    }
    expect(client.forms).toHaveLength(2);
    expect(script.handed()).toEqual([]);
    expect(deletesOf(id)).toHaveLength(0);
    expect((await auditsOnce(cli, 2)).at(-1)).toMatchObject({
      era: era.era,
      outcome: "refused",
      reason: "declined",
      confirmation: "form",
    });
    expect(audits(cli).at(-1)).not.toHaveProperty("passedOver");
    expect(cli.stderr()).not.toContain("declares elicitation but answered");
  });
});

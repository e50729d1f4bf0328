// Delete through a real MCP client over stdio, confirmed by a human in a real browser (chromium) on the page the server opened.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithBrowser, launchBrowser, type TestBrowser, expectAnsweredElsewhere } from "../support/browser.js";
import { auditLinesOf } from "../support/cli-eras.js";
import { serveTenant, startStdioCli, type ServedTenant } from "../support/cli-process.js";
import { browserScript, deletable, seenOf, textOf, type BrowserScript } from "../support/confirm-e2e.js";
import { typeNameOnPage } from "../support/confirm-steps.js";
import { writeRequests } from "../support/guard-helpers.js";
import { MODERN, startModernCli } from "../support/modern-cli.js";

/** The CLI over stdio as each era's client drives it (2025: sdk 1.32; 2026: v2 pinned, the page's wait in a retry round). */
interface Cli {
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  stderr(): string;
  close(): Promise<void>;
}

async function startCli(era: "2025" | "2026", args: string[], env: Record<string, string>): Promise<Cli> {
  if (era === "2026") {
    const cli = await startModernCli(args, env);
    return {
      call: async (name, a) =>
        (await cli.client.callTool({ name, arguments: a }, { timeout: 120_000 } as never)) as CallToolResult,
      stderr: cli.stderr,
      close: () => cli.client.close(),
    };
  }
  const cli = await startStdioCli(args, env);
  return {
    call: async (name, a) =>
      (await cli.client.callTool({ name, arguments: a }, undefined, { timeout: 120_000 })) as CallToolResult,
    stderr: cli.stderr,
    close: () => cli.client.close(),
  };
}

for (const [era, version] of [
  ["2025", "2025-11-25"],
  ["2026", MODERN],
] as const)
  describeWithBrowser(`confirmation in the browser, over stdio, ${era} client`, () => {
    let browser: TestBrowser;
    let tenant: ServedTenant;
    let script: BrowserScript;
    let cli: Cli;
    let ids: string[];
    beforeAll(async () => {
      browser = await launchBrowser();
      tenant = await serveTenant({ identities: 40 });
      ids = deletable(tenant.sandbox.state, 6);
      // A name that is markup: it must show as text and run nothing.
      tenant.sandbox.state.identities.get(ids[4]!)!.name = "<img src=x onerror=alert(1)>";
      script = browserScript();
      cli = await startCli(era, ["--confirm-wait", "20"], { ...tenant.env, BROWSER: script.command });
    }, 60_000);
    afterAll(async () => {
      await cli?.close();
      await tenant?.served.close();
      await browser?.close();
    });

    const call = (name: string, args: Record<string, unknown>) => cli.call(name, args);
    const deletes = () => writeRequests(tenant.sandbox).filter((r) => r.method === "DELETE");

    it("deletes once the human typed the name; the model never sees the page", async () => {
      const id = ids[0]!;
      const name = tenant.sandbox.state.identities.get(id)!.name;
      const pending = call("delete_identity", { identityId: id });
      const url = await script.nth(1);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/confirm\/[A-Za-z0-9_-]{24}$/);
      const page = await typeNameOnPage(browser, url, name);
      const res = await pending;
      expect(res.isError).toBeFalsy();
      expect(textOf(res)).toContain("was deleted");
      expect(tenant.sandbox.state.deleted).toEqual([id]);
      expect(deletes()).toHaveLength(1);
      expect(seenOf(res)).not.toContain(new URL(url).pathname.split("/").at(-1));
      expect(seenOf(res)).not.toContain("/confirm/");
      expect(cli.stderr()).not.toContain(new URL(url).pathname.split("/").at(-1));
      expect(cli.stderr()).toMatch(
        /"tool":"delete_identity".*"outcome":"executed","confirmation":"browser"|"confirmation":"browser".*"outcome":"executed"/,
      );
      await expect
        .poll(() => auditLinesOf(cli.stderr()).filter((l) => l.tool === "delete_identity"))
        .toEqual([expect.objectContaining({ era: version, outcome: "executed", confirmation: "browser" })]);
      // A second tab on the same URL afterwards has nothing to answer.
      await expectAnsweredElsewhere(browser, url);
      await page.close();
    });

    it("a wrong name changes nothing, and Cancel refuses the call", async () => {
      const id = ids[1]!;
      const before = script.urls().length;
      const pending = call("delete_identity", { identityId: id });
      const url = await script.nth(before + 1);
      const page = await browser.context.newPage();
      await page.goto(url);
      await page.fill("#name", "not the name");
      await page.click("button.go");
      await expect.poll(() => page.locator("[role=alert]").count()).toBe(1);
      await page.click("text=Cancel");
      await expect.poll(() => page.locator("h1").textContent()).toBe("Cancelled");
      const res = await pending;
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(
        /delete_identity refused: nothing was changed[\s\S]*the user cancelled on the confirmation page/,
      );
      expect(tenant.sandbox.state.identities.has(id)).toBe(true);
      expect(deletes()).toHaveLength(1);
      await expect
        .poll(() => auditLinesOf(cli.stderr()).at(-1))
        .toMatchObject({ era: version, outcome: "refused", reason: "cancelled" });
      await page.close();
    });

    it("reset: the same page, typed name, one POST upstream", async () => {
      const id = ids[2]!;
      const name = tenant.sandbox.state.identities.get(id)!.name;
      const before = script.urls().length;
      const pending = call("reset_identity", { identityId: id });
      const page = await browser.context.newPage();
      await page.goto(await script.nth(before + 1));
      expect(await page.locator("h1").textContent()).toBe("Reset identity?");
      await page.fill("#name", name);
      await page.click("button.go");
      await expect.poll(() => page.locator("h1").textContent()).toBe("Confirmed");
      const res = await pending;
      expect(res.isError).toBeFalsy();
      expect(tenant.sandbox.state.resets.map((r) => r.identityId)).toEqual([id]);
      await page.close();
    });

    it("shows a name that is markup as text, and runs nothing", async () => {
      const id = ids[4]!;
      const before = script.urls().length;
      const pending = call("delete_identity", { identityId: id });
      const page = await browser.context.newPage();
      let dialogs = 0;
      page.on("dialog", (d) => {
        dialogs++;
        void d.dismiss();
      });
      await page.goto(await script.nth(before + 1));
      expect(await page.locator("td").first().innerText()).toBe("<img src=x onerror=alert(1)>");
      expect(await page.locator("main img").count()).toBe(0);
      await page.click("text=Cancel");
      await expect.poll(() => page.locator("h1").textContent()).toBe("Cancelled");
      expect((await pending).isError).toBe(true);
      expect(dialogs).toBe(0);
      await page.close();
    });

    it("a mass invite: the count and the first names, a Confirm button, one POST upstream", async () => {
      const state = tenant.sandbox.state;
      const many = [...state.identities.keys()].slice(0, 12);
      const before = script.urls().length;
      const pending = call("start_identities_invite", { ids: many });
      const page = await browser.context.newPage();
      await page.goto(await script.nth(before + 1));
      expect(await page.locator("h1").textContent()).toBe("Send registration invitations?");
      const table = await page.locator("table").innerText();
      expect(table).toMatch(/Identities affected\s+12/);
      const names = many.map((id) => state.identities.get(id)!.name).sort();
      expect(table).toContain(names[0]);
      expect(table).toContain("and 2 more");
      expect(await page.locator("#name").count()).toBe(0);
      await page.click("text=Send invitations");
      await expect.poll(() => page.locator("h1").textContent()).toBe("Confirmed");
      const res = await pending;
      expect(res.isError).toBeFalsy();
      expect(writeRequests(tenant.sandbox).filter((r) => r.path.endsWith("/identities/invite"))).toHaveLength(1);
      await page.close();
    });
  });

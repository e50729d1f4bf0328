// End to end with sign-in: a real provider, the built server over HTTP with OAuth, the sandbox, an MCP client with A's token, and chromium signing in as A or B.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeWithBrowser, launchBrowser, type TestBrowser } from "../support/browser.js";
import { serveTenant, type ServedTenant } from "../support/cli-process.js";
import { deletable, textOf } from "../support/confirm-e2e.js";
import { writeRequests } from "../support/guard-helpers.js";
import { rawRequest } from "../support/http-harness.js";
import { CLIENT, startOidcProvider, type OidcFixture } from "../support/oidc-provider.js";
import { MODERN } from "../support/modern-cli.js";
import { askerWith, AUDIENCE, startSignedInCli, visitAs, type SignedInCli } from "../support/signin-e2e.js";

const ERA_OF = { "2025": "2025-11-25", "2026": MODERN } as const;
const SCOPES = ["identities:read", "identities:write", "identities:destructive"];
const APPROVE = "identities:approve";
const ANA = { sub: "ana", name: "ana.lead" };
const BOB = { sub: "bob", name: "bob.iam" };

let idp: OidcFixture;
let tenant: ServedTenant;
let ids: string[];
beforeAll(async () => {
  idp = await startOidcProvider({
    accounts: [
      { sub: "ana", preferred_username: "ana.lead", email: "ana@example.test", scopes: SCOPES },
      { sub: "bob", preferred_username: "bob.iam", scopes: [...SCOPES, APPROVE] },
    ],
  });
  tenant = await serveTenant({ identities: 40 });
  ids = deletable(tenant.sandbox.state, 7);
}, 60_000);
afterAll(async () => {
  await tenant?.served.close();
  await idp?.close();
});

const tokenOf = (sub: string) => idp.token(sub, [...SCOPES, APPROVE], { resource: AUDIENCE });
const nameOf = (id: string) => tenant.sandbox.state.identities.get(id)!.name;
const deletesOf = (id: string) =>
  writeRequests(tenant.sandbox).filter((r) => r.method === "DELETE" && r.path.endsWith(`/identities/${id}`));

/**
 * The signed-in person on `tab` types the name and confirms: the page says so, the call deletes once, and its one
 * executed audit line names who asked, who confirmed and the era.
 */
async function confirmOnPage(
  tab: Page,
  id: string,
  result: Promise<CallToolResult>,
  audit: () => Array<Record<string, unknown>>,
  who: { actor: typeof ANA; confirmedBy: typeof ANA; era: string },
): Promise<void> {
  await tab.fill("#name", nameOf(id));
  await tab.click("button.go");
  await expect.poll(() => tab.locator("h1").textContent()).toBe("Confirmed");
  const res = await result;
  expect(res.isError, textOf(res)).toBeFalsy();
  expect(deletesOf(id)).toHaveLength(1);
  expect(audit().filter((l) => l.tool === "delete_identity" && l.outcome === "executed")).toEqual([
    expect.objectContaining({ targetIds: [id], confirmation: "url", ...who }),
  ]);
}

// 2025 client only: the cookie and the redirect are the page's, the same whichever era asked for it.
describe("the page's cookies behind TLS (--public-url https)", () => {
  let cli: SignedInCli | undefined;
  afterAll(async () => cli?.close());

  it("the sign-in cookie is __Host-, Secure, HttpOnly and SameSite, and the redirect URI is under the public URL", async () => {
    cli = await startSignedInCli(idp, tenant, ["--public-url", "https://mcp.helpdesk.test/"]);
    const asker = await askerWith(cli.url, await tokenOf("ana"));
    try {
      const { result, page } = asker.call("delete_identity", { identityId: ids[3]! });
      result.catch(() => {});
      const url = new URL((await page).url);
      expect(url.origin).toBe("https://mcp.helpdesk.test");
      // What the browser behind the proxy would send: the public host name, to this listener.
      const res = await rawRequest(`${new URL(cli.url).origin}${url.pathname}`, {
        method: "GET",
        headers: { host: "mcp.helpdesk.test" },
      });
      expect(res.status).toBe(303);
      expect(res.body).not.toContain(nameOf(ids[3]!));
      expect(String(res.headers["set-cookie"])).toMatch(
        /^__Host-isc-mcp-sign-in-[\w-]{22}=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      );
      const to = new URL(String(res.headers.location));
      expect(to.origin).toBe(idp.issuer);
      expect(to.searchParams.get("redirect_uri")).toBe("https://mcp.helpdesk.test/signin/callback");
      expect(to.searchParams.get("client_id")).toBe(CLIENT.id);
      expect(to.searchParams.get("code_challenge_method")).toBe("S256");
    } finally {
      await asker.close();
    }
    expect(deletesOf(ids[3]!)).toEqual([]);
  });
});

describeWithBrowser("the confirmation page signs the human in (chromium, the built server)", () => {
  let browser: TestBrowser;
  let cli: SignedInCli | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await cli?.close();
    await browser?.close();
  });

  // Each flow with a 2025 client (a session) and a 2026 one (per request); ids[base..base+2] are this era's targets.
  for (const [era, base] of [
    ["2025", 0],
    ["2026", 3],
  ] as const)
    describe(`${era} client`, () => {
      it("a delete asked by A and confirmed by A: one DELETE, and the audit line has actor A and confirmedBy A", async () => {
        await cli?.close();
        cli = await startSignedInCli(idp, tenant);
        const asker = await askerWith(cli.url, await tokenOf("ana"), era);
        const id = ids[base]!;
        const { result, page } = asker.call("delete_identity", { identityId: id });
        const { url } = await page;
        expect(url).toMatch(new RegExp(`^${new URL(cli.url).origin}/confirm/[A-Za-z0-9_-]{24}$`));
        const tab = await visitAs(browser, idp, "ana", url);
        expect(await tab.locator("table").innerText()).toContain(nameOf(id));
        // Plain loopback http: HttpOnly and SameSite; no Secure, so no __Host- prefix (a browser would drop such a cookie).
        const cookies = await browser.context.cookies(new URL(url).origin);
        expect(cookies.find((c) => c.name === "isc-mcp-signed-in")).toMatchObject({
          httpOnly: true,
          sameSite: "Lax",
          secure: false,
          path: "/",
        });
        expect(cookies.some((c) => c.name.startsWith("isc-mcp-sign-in"))).toBe(false);
        await confirmOnPage(tab, id, result, () => cli!.audit(), { actor: ANA, confirmedBy: ANA, era: ERA_OF[era] });
        expect(JSON.stringify(cli.audit())).not.toContain("ana@example.test");
        await tab.close();
        await asker.close();
      });

      it("the same delete answered by B: refused on the page, no preview, no DELETE; A's own Cancel then ends the call", async () => {
        const asker = await askerWith(cli!.url, await tokenOf("ana"), era);
        const id = ids[base + 1]!;
        const { result, page } = asker.call("delete_identity", { identityId: id });
        const { url } = await page;
        const other = await visitAs(browser, idp, "bob", url);
        await expect
          .poll(() => other.locator("main").innerText())
          .toContain("another person's assistant asked for this");
        expect(await other.locator("main").innerText()).not.toContain(nameOf(id));
        expect(await other.locator("form").count()).toBe(0);
        // An answer posted with B's signed-in cookie from the page's own origin (the page's CSP keeps scripts from doing it) is refused too.
        const cookie = (await browser.context.cookies(new URL(url).origin))
          .map((c) => `${c.name}=${c.value}`)
          .join("; ");
        const forged = await rawRequest(url, {
          headers: { cookie, origin: new URL(url).origin, "content-type": "application/x-www-form-urlencoded" },
          body: `answer=confirm&name=${encodeURIComponent(nameOf(id))}`,
        });
        expect(forged.status).toBe(403);
        expect(forged.body).toContain("assistant asked for this; only that person may answer it");
        await other.close();
        expect(deletesOf(id)).toEqual([]);
        const own = await visitAs(browser, idp, "ana", url);
        await own.click("text=Cancel");
        await expect.poll(() => own.locator("h1").textContent()).toBe("Cancelled");
        const res = await result;
        expect(res.isError).toBe(true);
        expect(textOf(res)).toMatch(/the user cancelled on the confirmation page/);
        expect(deletesOf(id)).toEqual([]);
        expect(tenant.sandbox.state.identities.has(id)).toBe(true);
        expect(cli!.audit().at(-1)).toMatchObject({
          tool: "delete_identity",
          outcome: "refused",
          reason: "cancelled",
          actor: ANA,
          era: ERA_OF[era],
        });
        expect(cli!.audit().at(-1)).not.toHaveProperty("confirmedBy");
        await own.close();
        await asker.close();
      });

      it("under --four-eyes: refused for A, who asked; accepted from approver B, and the audit line says both", async () => {
        await cli?.close();
        cli = await startSignedInCli(idp, tenant, ["--four-eyes"]);
        const asker = await askerWith(cli.url, await tokenOf("ana"), era);
        const id = ids[base + 2]!;
        const { result, page } = asker.call("delete_identity", { identityId: id });
        const { url, message } = await page;
        expect(message).toMatch(/A second person must approve this/);
        const own = await visitAs(browser, idp, "ana", url);
        await expect
          .poll(() => own.locator("main").innerText())
          .toContain("someone else holding the approver scope must answer this");
        expect(await own.locator("form").count()).toBe(0);
        await own.close();
        expect(deletesOf(id)).toEqual([]);
        const approver = await visitAs(browser, idp, "bob", url);
        await confirmOnPage(approver, id, result, () => cli!.audit(), {
          actor: ANA,
          confirmedBy: BOB,
          era: ERA_OF[era],
        });
        await approver.close();
        await asker.close();
      });
    });
});

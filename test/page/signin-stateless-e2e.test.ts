// --stateless with sign-in (a real provider, the built server, chromium): the page and its sign-in with --oauth-client-id, and what the server says and lists without it.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeWithBrowser, launchBrowser, type TestBrowser } from "../support/browser.js";
import { serveTenant, type ServedTenant } from "../support/cli-process.js";
import { deletable, textOf } from "../support/confirm-e2e.js";
import { writeRequests } from "../support/guard-helpers.js";
import { startOidcProvider, type OidcFixture } from "../support/oidc-provider.js";
import { MODERN } from "../support/modern-cli.js";
import { askerWith, AUDIENCE, startSignedInCli, visitAs, type SignedInCli } from "../support/signin-e2e.js";

const KEY = "signin-stateless-confirm-key-0123456789";
const STATELESS = ["--stateless", "--single-replica"];
const SCOPES = ["identities:read", "identities:write", "identities:destructive"];
const APPROVE = "identities:approve";
const ANA = { sub: "ana", name: "ana.lead" };
const BOB = { sub: "bob", name: "bob.iam" };
/** What a strict server hides from a client that cannot confirm. */
const ALWAYS_CONFIRMED = ["delete_identity", "reset_identity", "send_identity_verification_account_token"];

let idp: OidcFixture;
let tenant: ServedTenant;
let ids: string[];
/** --stateless with sign-in and --oauth-client-id: the page is served. */
let paged: SignedInCli;
beforeAll(async () => {
  idp = await startOidcProvider({
    accounts: [
      { sub: "ana", preferred_username: "ana.lead", scopes: SCOPES },
      { sub: "bob", preferred_username: "bob.iam", scopes: [...SCOPES, APPROVE] },
      { sub: "carl", preferred_username: "carl.ops", scopes: SCOPES },
      { sub: "dora", preferred_username: "dora.desk", scopes: ["identities:read", "identities:write"] },
    ],
  });
  tenant = await serveTenant({ identities: 40 });
  ids = deletable(tenant.sandbox.state, 6);
  paged = await startSignedInCli(idp, tenant, STATELESS, { env: { ISC_MCP_CONFIRM_KEY: KEY } });
}, 60_000);
afterAll(async () => {
  await paged?.close();
  await tenant?.served.close();
  await idp?.close();
});

const tokenOf = (sub: string, scopes = [...SCOPES, APPROVE]) => idp.token(sub, scopes, { resource: AUDIENCE });
const nameOf = (id: string) => tenant.sandbox.state.identities.get(id)!.name;
const deletesOf = (id: string) =>
  writeRequests(tenant.sandbox).filter((r) => r.method === "DELETE" && r.path.endsWith(`/identities/${id}`));
const deleteLines = (cli: SignedInCli) => cli.audit().filter((l) => l.tool === "delete_identity");

/** A delete that must be refused before anything is asked: no page offered, nothing written, a refused audit line. */
async function refusedOutright(cli: SignedInCli, asker: Awaited<ReturnType<typeof askerWith>>, id: string) {
  const { result, page } = asker.call("delete_identity", { identityId: id });
  let offered = false;
  void page.then(() => (offered = true));
  const res = await result;
  expect(res.isError).toBe(true);
  expect(textOf(res)).toMatch(/^delete_identity refused: nothing was changed/);
  expect(offered).toBe(false);
  expect(deletesOf(id)).toEqual([]);
  expect(tenant.sandbox.state.identities.has(id)).toBe(true);
  return res;
}

describe("--stateless with sign-in and --oauth-client-id, without a browser", () => {
  it("a 2025 client still cannot be asked without a session: delete is not listed to it, and a delete it sends writes nothing", async () => {
    const asker = await askerWith(paged.url, await tokenOf("ana"), "2025");
    try {
      const names = await asker.tools();
      for (const name of ALWAYS_CONFIRMED) expect(names).not.toContain(name);
      expect(names).toContain("list_identities");
      await refusedOutright(paged, asker, ids[0]!);
      expect(deleteLines(paged).at(-1)).toMatchObject({ outcome: "refused", targetIds: [ids[0]], era: "2025-11-25" });
    } finally {
      await asker.close();
    }
  });

  it("a person whose token lacks the destructive scope is not listed delete, and a delete they send writes nothing", async () => {
    const asker = await askerWith(paged.url, await tokenOf("dora", ["identities:read", "identities:write"]), "2026");
    try {
      expect(await asker.tools()).not.toContain("delete_identity");
      const { result, page } = asker.call("delete_identity", { identityId: ids[0]! });
      let offered = false;
      void page.then(() => (offered = true));
      // Refused at /mcp for the scope (403 insufficient_scope), before any MCP server or the guard sees the call.
      await expect(result).rejects.toThrow(/403|insufficient|scope/i);
      expect(offered).toBe(false);
      expect(deletesOf(ids[0]!)).toEqual([]);
    } finally {
      await asker.close();
    }
  }, 60_000);
});

describe("--stateless with sign-in and no --oauth-client-id", () => {
  let strict: SignedInCli | undefined;
  let auto: SignedInCli | undefined;
  let noCode: SignedInCli | undefined;
  afterAll(async () => Promise.all([strict?.close(), auto?.close(), noCode?.close()]));

  it("starts, and its start-up line says a client with URL elicitation only cannot confirm and how to turn the page on; that client is not listed delete, and nothing is written", async () => {
    strict = await startSignedInCli(idp, tenant, STATELESS, { env: { ISC_MCP_CONFIRM_KEY: KEY }, withoutClient: true });
    expect(strict.stderr()).toContain(
      "; a 2026-07-28 client with URL elicitation only cannot confirm and is not shown send_identity_verification_account_token, reset_identity, delete_identity either: no confirmation page is served, as with --oauth-issuer the page signs people in through this server's own client at the provider (set --oauth-client-id to turn the page on)",
    );
    // Form elicitation still reaches a person, and the warning names only it.
    expect(strict.stderr()).toContain("a 2026-07-28 client that declares form elicitation still sees them");
    const asker = await askerWith(strict.url, await tokenOf("ana"), "2026");
    try {
      const names = await asker.tools();
      for (const name of ALWAYS_CONFIRMED) expect(names).not.toContain(name);
      expect(names).toContain("list_identities");
      await refusedOutright(strict, asker, ids[1]!);
      expect(deleteLines(strict).at(-1)).toMatchObject({ outcome: "refused", targetIds: [ids[1]], era: MODERN });
    } finally {
      await asker.close();
    }
  });

  it("under --confirm auto the line says such a client gets a code and no person confirms; it is listed delete, offered no page, and nothing is written", async () => {
    auto = await startSignedInCli(idp, tenant, [...STATELESS, "--confirm", "auto"], {
      env: { ISC_MCP_CONFIRM_KEY: KEY },
      withoutClient: true,
    });
    expect(auto.stderr()).toContain(
      "; no person can confirm for a 2026-07-28 client with URL elicitation only, which gets a code instead: no confirmation page is served",
    );
    const asker = await askerWith(auto.url, await tokenOf("ana"), "2026");
    try {
      expect(await asker.tools()).toContain("delete_identity");
      const { result, page } = asker.call("delete_identity", { identityId: ids[1]! });
      let offered = false;
      void page.then(() => (offered = true));
      const res = await result;
      expect(textOf(res)).toMatch(/^Confirmation required: nothing has been changed yet[\s\S]*plus confirmationCode "/);
      expect(offered).toBe(false);
      expect(deletesOf(ids[1]!)).toEqual([]);
    } finally {
      await asker.close();
    }
  }, 60_000);

  it("under --confirm auto without code in --confirm-via the line says such a client is not shown delete, and it is not", async () => {
    noCode = await startSignedInCli(idp, tenant, [...STATELESS, "--confirm", "auto", "--confirm-via", "form,url"], {
      env: { ISC_MCP_CONFIRM_KEY: KEY },
      withoutClient: true,
    });
    expect(noCode.stderr()).toContain(
      "; a 2026-07-28 client with URL elicitation only cannot confirm and is not shown send_identity_verification_account_token, reset_identity, delete_identity: no confirmation page is served",
    );
    expect(noCode.stderr()).not.toContain("which gets a code instead");
    const asker = await askerWith(noCode.url, await tokenOf("ana"), "2026");
    try {
      const names = await asker.tools();
      for (const name of ALWAYS_CONFIRMED) expect(names).not.toContain(name);
      await refusedOutright(noCode, asker, ids[1]!);
    } finally {
      await asker.close();
    }
  }, 60_000);
});

describeWithBrowser("--stateless with sign-in and --oauth-client-id: the page (chromium)", () => {
  let browser: TestBrowser;
  let fourEyes: SignedInCli | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await fourEyes?.close();
    await browser?.close();
  });

  /** The signed-in person on `tab` types the name and confirms; the call then deletes once. */
  async function confirmOn(tab: Page, id: string, result: Promise<CallToolResult>) {
    await tab.fill("#name", nameOf(id));
    await tab.click("button.go");
    await expect.poll(() => tab.locator("h1").textContent()).toBe("Confirmed");
    const res = await result;
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(textOf(res)).toContain("was deleted");
    expect(deletesOf(id)).toHaveLength(1);
  }

  it("a 2026 client with URL elicitation only is listed delete and deletes once after the signed-in asker confirms on the page", async () => {
    const asker = await askerWith(paged.url, await tokenOf("ana"), "2026");
    try {
      expect(await asker.tools()).toEqual(expect.arrayContaining(ALWAYS_CONFIRMED));
      const id = ids[2]!;
      const { result, page } = asker.call("delete_identity", { identityId: id });
      const { url } = await page;
      expect(url).toMatch(new RegExp(`^${new URL(paged.url).origin}/confirm/[A-Za-z0-9_-]{24}$`));
      const tab = await visitAs(browser, idp, "ana", url);
      expect(await tab.locator("table").innerText()).toContain(nameOf(id));
      await confirmOn(tab, id, result);
      await tab.close();
      expect(deleteLines(paged).filter((l) => l.outcome === "executed")).toEqual([
        expect.objectContaining({ targetIds: [id], confirmation: "url", actor: ANA, confirmedBy: ANA, era: MODERN }),
      ]);
    } finally {
      await asker.close();
    }
  }, 60_000);

  it("under --four-eyes: a signed-in person without the approver scope is refused on the page; the approver's confirmation deletes once", async () => {
    fourEyes = await startSignedInCli(idp, tenant, [...STATELESS, "--four-eyes"], {
      env: { ISC_MCP_CONFIRM_KEY: KEY },
    });
    const asker = await askerWith(fourEyes.url, await tokenOf("ana"), "2026");
    try {
      expect(await asker.tools()).toContain("delete_identity");
      const id = ids[3]!;
      const { result, page } = asker.call("delete_identity", { identityId: id });
      const { url, message } = await page;
      expect(message).toMatch(/A second person must approve this/);
      const unentitled = await visitAs(browser, idp, "carl", url);
      await expect
        .poll(() => unentitled.locator("main").innerText())
        .toContain(`only a person holding the ${APPROVE} scope may approve this`);
      expect(await unentitled.locator("main").innerText()).not.toContain(nameOf(id));
      expect(await unentitled.locator("form").count()).toBe(0);
      await unentitled.close();
      const own = await visitAs(browser, idp, "ana", url);
      await expect
        .poll(() => own.locator("main").innerText())
        .toContain("someone else holding the approver scope must answer this");
      await own.close();
      expect(deletesOf(id)).toEqual([]);
      const approver = await visitAs(browser, idp, "bob", url);
      await confirmOn(approver, id, result);
      await approver.close();
      expect(deleteLines(fourEyes).filter((l) => l.outcome === "executed")).toEqual([
        expect.objectContaining({ targetIds: [id], confirmation: "url", actor: ANA, confirmedBy: BOB, era: MODERN }),
      ]);
    } finally {
      await asker.close();
    }
  }, 60_000);
});

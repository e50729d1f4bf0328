// The confirmation page behind sign-in (OpenID Connect code flow with PKCE against a real provider), driven in chromium.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/core/log.js";
import { pageIdFromPath } from "../../src/guard/page/handler.js";
import { createConfirmationPages, type ConfirmationPages } from "../../src/guard/page/pages.js";
import { createMemoryStore, type GuardStore } from "../../src/guard/store.js";
import { fixedServing } from "../../src/guard/page/serving.js";
import { createIssuer } from "../../src/transports/http/oauth-issuer.js";
import { CALLBACK_PATH, createPageSignIn } from "../../src/transports/http/page-signin.js";
import { describeWithBrowser, launchBrowser, type TestBrowser } from "../support/browser.js";
import { CLIENT, startOidcProvider, type OidcFixture } from "../support/oidc-provider.js";
import { DELETE_VIEW, raw } from "../support/page-fixtures.js";

const SCOPES = ["identities:read", "identities:write", "identities:destructive"];
const APPROVE = "identities:approve";

interface SignedInPages {
  origin: string;
  pages: ConfirmationPages;
  store: GuardStore;
  open(requestedBy: string, fourEyes?: boolean): Promise<{ id: string; url: string }>;
  /** The confirmation as the store holds it: "pending", "confirmed" or "cancelled", and who answered. */
  record(id: string): Promise<{ state: string; answeredBy?: unknown } | undefined>;
  close(): Promise<void>;
}

/** Pages served like the HTTP transport serves them: /confirm/<id> behind the sign-in, and its callback. */
async function signedInPages(idp: OidcFixture): Promise<SignedInPages> {
  const log = createLogger(process.env.DEBUG_PAGE ? "debug" : "silent");
  let handle:
    ((req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => Promise<void>) | undefined;
  const http: Server = createServer((req, res) => void handle!(req, res).catch(() => res.writeHead(500).end()));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  idp.allowRedirect(`${origin}${CALLBACK_PATH}`);
  const issuer = createIssuer({ issuer: idp.issuer, clientId: CLIENT.id, clientSecret: CLIENT.secret, log });
  const policy = {
    issuer: idp.issuer,
    audience: `${origin}/mcp`,
    clockSkewSeconds: 30,
    rightsClaims: ["scope"],
    introspection: false,
  };
  const signIn = createPageSignIn({
    issuer,
    policy,
    publicBase: `${origin}/`,
    approverScope: APPROVE,
    key: "page-sign-in-test-key-0123456789",
    log,
  });
  const store = createMemoryStore();
  const pages = createConfirmationPages({ store, serving: fixedServing(`${origin}/`), log, gate: signIn.gate });
  handle = async (req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === CALLBACK_PATH) return signIn.callback(req, res);
    const id = pageIdFromPath(path);
    if (id === undefined) return void res.writeHead(404).end();
    return pages.handle(req, res, id);
  };
  let n = 0;
  return {
    origin,
    pages,
    store,
    async open(requestedBy, fourEyes = false) {
      const { pending, url } = await pages.open({
        binding: `b${n++}`,
        channel: "url",
        data: { view: DELETE_VIEW, accept: ["Adam.Kennedy"], requestedBy: { sub: requestedBy }, fourEyes },
        expiresAt: Date.now() + 120_000,
      });
      return { id: pending.id, url };
    },
    async record(id) {
      const p = await store.findPending({ id }, Date.now());
      if (!p) return undefined;
      const state = !p.answer ? "pending" : p.answer.confirmed ? "confirmed" : "cancelled";
      return { state, ...(p.answer?.by ? { answeredBy: p.answer.by } : {}) };
    },
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

let idp: OidcFixture;
beforeAll(async () => {
  idp = await startOidcProvider({
    accounts: [
      { sub: "ana", preferred_username: "ana.lead", scopes: SCOPES },
      { sub: "bob", preferred_username: "bob.iam", scopes: [...SCOPES, APPROVE] },
      { sub: "carl", preferred_username: "carl", scopes: SCOPES },
    ],
  });
});
afterAll(() => idp.close());

describe("the confirmation page without a browser", () => {
  it("shows no preview before sign-in: it sends the browser to the provider with PKCE, state, nonce and a sign-in cookie", async () => {
    const fx = await signedInPages(idp);
    try {
      const { url } = await fx.open("ana");
      const res = await raw(url, { headers: { host: new URL(fx.origin).host } });
      expect(res.status).toBe(303);
      expect(res.body).not.toContain("Adam.Kennedy");
      const to = new URL(String(res.headers.location));
      expect(to.origin).toBe(idp.issuer);
      expect(
        Object.fromEntries(
          [...to.searchParams].filter(([k]) =>
            ["client_id", "redirect_uri", "code_challenge_method", "response_type"].includes(k),
          ),
        ),
      ).toEqual({
        client_id: CLIENT.id,
        redirect_uri: `${fx.origin}${CALLBACK_PATH}`,
        code_challenge_method: "S256",
        response_type: "code",
      });
      expect(to.searchParams.get("state")).toMatch(/^[\w-]{20,}$/);
      expect(to.searchParams.get("nonce")).toMatch(/^[\w-]{20,}$/);
      expect(to.searchParams.get("code_challenge")).toMatch(/^[\w-]{43}$/);
      // Plain loopback http: HttpOnly and SameSite, no Secure and so no __Host- prefix (browsers would drop it).
      expect(String(res.headers["set-cookie"])).toMatch(
        /^isc-mcp-sign-in-[\w-]{22}=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/,
      );
      // The sign-in cookie, handed to whoever opens the page, is no signed-in person: sent back as one, it starts a sign-in.
      const loginValue = /^isc-mcp-sign-in-[\w-]+=([^;]+)/.exec(String(res.headers["set-cookie"]))![1]!;
      const replayed = await raw(url, {
        headers: { host: new URL(fx.origin).host, cookie: `isc-mcp-signed-in=${loginValue}` },
      });
      expect(replayed.status).toBe(303);
      expect(new URL(String(replayed.headers.location)).origin).toBe(idp.issuer);
      expect(replayed.body).not.toContain("Adam.Kennedy");
      // A forged callback without this browser's sign-in cookie is refused.
      const forged = await raw(`${fx.origin}${CALLBACK_PATH}?code=x&state=${to.searchParams.get("state")}`);
      expect(forged.status).toBe(400);
      // So is one that reached the server under another host name (DNS rebinding), even with this browser's cookie.
      const loginCookie = String(res.headers["set-cookie"]).split(";")[0]!;
      const rebound = await raw(`${fx.origin}${CALLBACK_PATH}?code=x&state=${to.searchParams.get("state")}`, {
        headers: { host: "attacker.example:80", cookie: loginCookie },
      });
      expect(rebound.status).toBe(403);
      expect(rebound.body).toContain("not served under that host name");
    } finally {
      await fx.close();
    }
  });
});

describeWithBrowser("the confirmation page signs the human in (chromium)", () => {
  let browser: TestBrowser;
  let fx: SignedInPages;
  beforeAll(async () => {
    browser = await launchBrowser();
    fx = await signedInPages(idp);
  }, 60_000);
  afterAll(async () => {
    await fx?.close();
    await browser?.close();
  });

  /** Opens the page as `who`: a fresh cookie jar, the provider's login form, back to the page. */
  async function visitAs(who: string, url: string) {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    if (process.env.DEBUG_PAGE) page.on("response", (r) => console.log("RESP", r.status(), r.url().slice(0, 120)));
    await page.goto(url);
    await page.waitForURL((u) => u.origin === idp.issuer);
    await page.fill("input[name=login]", who);
    await page.click("button");
    await page.waitForURL((u) => u.href === url);
    return page;
  }

  it("the person who asked signs in, sees the preview and confirms; the answer names them", async () => {
    const { id, url } = await fx.open("ana");
    const page = await visitAs("ana", url);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Delete identity?");
    const cookies = await browser.context.cookies(fx.origin);
    expect(cookies.find((c) => c.name === "isc-mcp-signed-in")).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    await page.fill("#name", "Adam.Kennedy");
    await page.click("button.go");
    await expect.poll(() => page.locator("h1").textContent()).toBe("Confirmed");
    expect(await fx.record(id)).toMatchObject({ state: "confirmed", answeredBy: { sub: "ana", name: "ana.lead" } });
    await page.close();
    // Opened later by anyone (a forwarded link, no sign-in): how it ended, and nothing of what it was about.
    const later = await raw(url, { headers: { host: new URL(fx.origin).host } });
    expect(later.status).toBe(200);
    expect(later.body).toContain("already answered: confirmed");
    expect(later.body).not.toContain("Adam.Kennedy");
    expect(later.body).not.toContain("Delete identity");
  });

  it("two pages signing in in one browser at once both get there (one login cookie per sign-in)", async () => {
    const [first, second] = [await fx.open("ana"), await fx.open("ana")];
    await browser.context.clearCookies();
    const tabs = [await browser.context.newPage(), await browser.context.newPage()];
    await tabs[0]!.goto(first.url);
    await tabs[0]!.waitForURL((u) => u.origin === idp.issuer);
    await tabs[1]!.goto(second.url);
    await tabs[1]!.waitForURL((u) => u.origin === idp.issuer);
    // The second sign-in finishes first; the first one's cookie is still there for it.
    for (const [tab, url] of [
      [tabs[1]!, second.url],
      [tabs[0]!, first.url],
    ] as const) {
      await tab.fill("input[name=login]", "ana");
      await tab.click("button");
      await tab.waitForURL((u) => u.href === url);
      await expect.poll(() => tab.locator("h1").textContent()).toBe("Delete identity?");
      await tab.close();
    }
  });

  it("another person is refused: no preview, and nothing is answered", async () => {
    const { id, url } = await fx.open("ana");
    const page = await visitAs("carl", url);
    await expect.poll(() => page.locator("main").innerText()).toContain("another person's assistant asked for this");
    expect(await page.locator("main").innerText()).not.toContain("Adam.Kennedy");
    expect((await fx.record(id))?.state).toBe("pending");
    await page.close();
  });

  it("four-eyes: refused for the person who asked and for one without the approver scope, accepted for an approver", async () => {
    const { id, url } = await fx.open("ana", true);
    const own = await visitAs("ana", url);
    await expect
      .poll(() => own.locator("main").innerText())
      .toContain("someone else holding the approver scope must answer");
    await own.close();
    const plain = await visitAs("carl", url);
    await expect.poll(() => plain.locator("main").innerText()).toContain(`only a person holding the ${APPROVE} scope`);
    await plain.close();
    expect((await fx.record(id))?.state).toBe("pending");
    const approver = await visitAs("bob", url);
    await approver.fill("#name", "Adam.Kennedy");
    await approver.click("button.go");
    await expect.poll(() => approver.locator("h1").textContent()).toBe("Confirmed");
    expect(await fx.record(id)).toMatchObject({ state: "confirmed", answeredBy: { sub: "bob", name: "bob.iam" } });
    await approver.close();
  });
});

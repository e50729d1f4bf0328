// Sign-in on the confirmation page (OpenID Connect code flow with PKCE): only the right person sees the preview and answers.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseCookie, stringifySetCookie } from "cookie";
import * as oidc from "openid-client";
import type { Actor } from "../../guard/index.js";
import { PAGE_ID, pageIdFromPath, type PageGate, type PageGateResult } from "../../guard/page/handler.js";
import type { Logger } from "../../core/log.js";
import type { Issuer } from "./oauth-issuer.js";
import { cookieSeal } from "./sealed-cookie.js";
import { checkToken, type TokenPolicy } from "./oauth-token.js";

export const CALLBACK_PATH = "/signin/callback";
/** A page sign-in lasts this long: enough to read a preview and answer, not a standing session. */
const SIGNED_IN_MS = 15 * 60_000;
const LOGIN_MS = 10 * 60_000;

export interface PageSignInOptions {
  issuer: Issuer;
  /** To read the approver scope from the access token the sign-in returns, checked like any MCP request's. */
  policy: TokenPolicy;
  /**
   * Where people's browsers reach the pages (…/confirm/<id>), read when needed (the port is known once the server
   * listens); the redirect URI is `<base>signin/callback`. https here means TLS in front: the cookies are then Secure and __Host-.
   */
  publicBase: string | (() => string | undefined);
  approverScope: string;
  /** Signing key for the cookies (sealed-cookie.ts). */
  key: string;
  log: Logger;
  now?: () => number;
}

type SignedIn = { sub: string; name?: string; approver: boolean };
/** `page`: the id of the page to return to, under the public base (a proxy may strip a path prefix from what we see). */
type Login = { state: string; nonce: string; verifier: string; page: string };

export interface PageSignIn {
  gate: PageGate;
  /** Answers GET /signin/callback: checks state, nonce and the code (PKCE), then sends the browser back to its page. */
  callback(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function createPageSignIn(opts: PageSignInOptions): PageSignIn {
  const now = opts.now ?? Date.now;
  const base = () => {
    const b = typeof opts.publicBase === "string" ? opts.publicBase : opts.publicBase();
    if (b === undefined) throw new Error("the confirmation pages have no public URL yet");
    return new URL(b.endsWith("/") ? b : `${b}/`);
  };
  /** The host (and port) the pages are served under; undefined before they have a public URL. */
  const expectedHost = () => {
    try {
      return base().host.toLowerCase();
    } catch {
      return undefined;
    }
  };
  let fixed: { secure: boolean; names: { session: string; login: string }; redirectUri: string } | undefined;
  /** Read once the base is known, then fixed: the cookie names must not change under a signed-in browser. */
  const site = () => {
    if (fixed) return fixed;
    const b = base();
    const secure = b.protocol === "https:";
    // __Host- needs Secure (browsers drop it otherwise), so on plain loopback http the names go without the prefix.
    const prefix = secure ? "__Host-" : "";
    return (fixed = {
      secure,
      names: { session: `${prefix}isc-mcp-signed-in`, login: `${prefix}isc-mcp-sign-in` },
      redirectUri: new URL(CALLBACK_PATH.slice(1), b).href,
    });
  };

  // Each cookie says what it is: a login cookie (handed to anyone who opens a page) never unseals as a signed-in person.
  const { seal, unseal } = cookieSeal(opts.key, now);
  const cookie = (name: string, value: string, maxAgeMs: number) =>
    stringifySetCookie({
      name,
      value,
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      maxAge: Math.floor(maxAgeMs / 1000),
      secure: site().secure,
    });
  const read = (req: IncomingMessage, name: string) => parseCookie(req.headers.cookie ?? "")[name];

  /** One login cookie per sign-in, named after its state: two pages signing in in one browser do not overwrite each other. */
  const loginCookie = (state: string) => `${site().names.login}-${state.slice(0, 22)}`;

  async function beginSignIn(page: string): Promise<PageGateResult> {
    const config = await opts.issuer.configuration();
    const login: Login = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      page,
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: site().redirectUri,
      scope: `openid profile email ${opts.approverScope}`,
      code_challenge: await oidc.calculatePKCECodeChallenge(login.verifier),
      code_challenge_method: "S256",
      state: login.state,
      nonce: login.nonce,
      resource: opts.policy.audience,
    });
    return {
      ok: false,
      status: 303,
      location: url.href,
      cookie: cookie(loginCookie(login.state), await seal("login", login, LOGIN_MS), LOGIN_MS),
    };
  }

  const gate: PageGate = async (req, record) => {
    const person = await unseal<SignedIn>("session", read(req, site().names.session));
    if (!person || typeof person.sub !== "string" || !person.sub) {
      if (req.method !== "GET" && req.method !== "HEAD")
        return { ok: false, status: 403, why: "your sign-in on this page ended; open the page again to sign in." };
      return beginSignIn(pageIdFromPath((req.url ?? "/").split("?")[0]!) ?? "");
    }
    const actor: Actor = { sub: person.sub, ...(person.name ? { name: person.name } : {}) };
    const asker = record.requestedBy;
    if (record.fourEyes) {
      if (asker && asker.sub === person.sub)
        return {
          ok: false,
          status: 403,
          why: "this server asks a second person to approve destructive actions: someone else holding the approver scope must answer this.",
        };
      if (!person.approver)
        return {
          ok: false,
          status: 403,
          why: `only a person holding the ${opts.approverScope} scope may approve this.`,
        };
      return { ok: true, actor };
    }
    if (asker && asker.sub !== person.sub)
      return {
        ok: false,
        status: 403,
        why: "another person's assistant asked for this; only that person may answer it.",
      };
    return { ok: true, actor };
  };

  async function callback(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // As the pages do: a callback that reached us under another host name (DNS rebinding, a stray proxy) is refused
    // before any cookie is read or any code is redeemed.
    if ((req.headers.host ?? "").toLowerCase() !== expectedHost()) {
      opts.log.warn("confirmation page sign-in refused: the callback came under another host name than the pages' own");
      res.writeHead(403, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
      return void res.end("Forbidden: this sign-in is not served under that host name.");
    }
    const state = new URL(req.url ?? "/", "http://callback.invalid").searchParams.get("state") ?? "";
    const named = /^[\w-]{22,128}$/.test(state) ? loginCookie(state) : undefined;
    const fail = (why: string) => {
      opts.log.warn(`confirmation page sign-in failed: ${why}`);
      res.writeHead(400, {
        "content-type": "text/plain; charset=utf-8",
        "cache-control": "no-store",
        ...(named ? { "set-cookie": cookie(named, "", 0) } : {}),
      });
      res.end(`Sign-in failed: ${why}. Open the confirmation page again.`);
    };
    const login = named ? await unseal<Login>("login", read(req, named)) : undefined;
    if (!login || login.state !== state || !PAGE_ID.test(login.page))
      return fail("this browser did not start a sign-in here, or it took too long");
    let person: SignedIn;
    try {
      const config = await opts.issuer.configuration();
      // The callback as registered at the provider, with the query the provider sent: what the code was issued for.
      const current = new URL(site().redirectUri);
      current.search = new URL(req.url ?? "/", current).search;
      const tokens = await oidc.authorizationCodeGrant(
        config,
        current,
        {
          pkceCodeVerifier: login.verifier,
          expectedState: login.state,
          expectedNonce: login.nonce,
          idTokenExpected: true,
        },
        { resource: opts.policy.audience },
      );
      const claims = tokens.claims();
      if (!claims?.sub) return fail("the identity provider named nobody");
      // The approver scope counts only from an access token this server would accept on /mcp (same issuer, audience, keys).
      const checked = await checkToken(tokens.access_token, opts.issuer, opts.policy);
      const approver =
        checked.ok && checked.person.actor.sub === claims.sub && checked.person.scopes.includes(opts.approverScope);
      const display = [claims.preferred_username, claims.email].find(
        (v): v is string => typeof v === "string" && v.length > 0,
      );
      person = { sub: claims.sub, ...(display ? { name: display.slice(0, 256) } : {}), approver };
    } catch (err) {
      return fail((err as Error).message);
    }
    res.writeHead(303, {
      location: new URL(`confirm/${login.page}`, base()).href,
      "cache-control": "no-store",
      "set-cookie": [
        cookie(site().names.session, await seal("session", person, SIGNED_IN_MS), SIGNED_IN_MS),
        cookie(named!, "", 0),
      ],
    });
    res.end();
  }

  return { gate, callback };
}

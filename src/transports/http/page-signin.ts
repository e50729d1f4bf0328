// Sign-in on the confirmation page (OpenID Connect code flow with PKCE): only the right person sees the preview and answers.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as oidc from "openid-client";
import type { Actor } from "../../guard/audit.js";
import type { PageGate, PageGateResult } from "../../guard/page/handler.js";
import type { Logger } from "../../core/log.js";
import type { Issuer } from "./oauth-issuer.js";
import { checkToken, type TokenPolicy } from "./oauth-token.js";

export const CALLBACK_PATH = "/signin/callback";
/** A page sign-in lasts this long: enough to read a preview and answer, not a standing session. */
const SIGNED_IN_MS = 15 * 60_000;
const LOGIN_MS = 10 * 60_000;
const RETURN_TO = /^\/(?:[\w-]+\/)*confirm\/[A-Za-z0-9_-]{24}$/;

export interface PageSignInOptions {
  issuer: Issuer;
  /** To read the approver scope from the access token the sign-in returns, checked like any MCP request's. */
  policy: TokenPolicy;
  /** The origin people's browsers reach this server at (the audience's); https there makes the cookies Secure and __Host-. */
  publicOrigin: string;
  approverScope: string;
  /** HMAC key for the cookies. */
  key: string;
  log: Logger;
  now?: () => number;
}

interface SignedIn { sub: string; name?: string; approver: boolean; exp: number }
interface Login { state: string; nonce: string; verifier: string; returnTo: string; exp: number }

export interface PageSignIn {
  gate: PageGate;
  /** Answers GET /signin/callback: checks state, nonce and the code (PKCE), then sends the browser back to its page. */
  callback(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function createPageSignIn(opts: PageSignInOptions): PageSignIn {
  const now = opts.now ?? Date.now;
  const secure = new URL(opts.publicOrigin).protocol === "https:";
  // __Host- needs Secure (browsers drop it otherwise), so on plain loopback http the names go without the prefix.
  const prefix = secure ? "__Host-" : "";
  const names = { session: `${prefix}isc-mcp-signed-in`, login: `${prefix}isc-mcp-sign-in` };
  const redirectUri = `${opts.publicOrigin}${CALLBACK_PATH}`;

  const seal = (value: object) => {
    const body = Buffer.from(JSON.stringify(value)).toString("base64url");
    return `${body}.${createHmac("sha256", opts.key).update(body).digest("base64url")}`;
  };
  const unseal = <T extends { exp: number }>(sealed: string | undefined): T | undefined => {
    const [body, mac] = (sealed ?? "").split(".");
    if (!body || !mac) return undefined;
    const want = createHmac("sha256", opts.key).update(body).digest();
    const got = Buffer.from(mac, "base64url");
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    const value = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as T;
    return value.exp > now() ? value : undefined;
  };
  const cookie = (name: string, value: string, maxAgeMs: number) =>
    `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure ? "; Secure" : ""}`;
  const read = (req: IncomingMessage, name: string) => {
    for (const part of (req.headers.cookie ?? "").split(";")) {
      const [k, ...v] = part.trim().split("=");
      if (k === name) return v.join("=");
    }
    return undefined;
  };

  async function beginSignIn(returnTo: string): Promise<PageGateResult> {
    const config = await opts.issuer.configuration();
    const login: Login = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier(), returnTo, exp: now() + LOGIN_MS };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: `openid profile email ${opts.approverScope}`,
      code_challenge: await oidc.calculatePKCECodeChallenge(login.verifier),
      code_challenge_method: "S256",
      state: login.state,
      nonce: login.nonce,
      resource: opts.policy.audience,
    });
    return { ok: false, status: 303, location: url.href, cookie: cookie(names.login, seal(login), LOGIN_MS) };
  }

  const gate: PageGate = async (req, record) => {
    const person = unseal<SignedIn>(read(req, names.session));
    if (!person) {
      if (req.method !== "GET" && req.method !== "HEAD") return { ok: false, status: 403, why: "your sign-in on this page ended; open the page again to sign in." };
      return beginSignIn((req.url ?? "/").split("?")[0]!);
    }
    const actor: Actor = { sub: person.sub, ...(person.name ? { name: person.name } : {}) };
    const asker = record.requestedBy;
    if (record.fourEyes) {
      if (asker && asker.sub === person.sub) return { ok: false, status: 403, why: "this server asks a second person to approve destructive actions: someone else holding the approver scope must answer this." };
      if (!person.approver) return { ok: false, status: 403, why: `only a person holding the ${opts.approverScope} scope may approve this.` };
      return { ok: true, actor };
    }
    if (asker && asker.sub !== person.sub) return { ok: false, status: 403, why: "another person's assistant asked for this; only that person may answer it." };
    return { ok: true, actor };
  };

  async function callback(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const fail = (why: string) => {
      opts.log.warn(`confirmation page sign-in failed: ${why}`);
      res.writeHead(400, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", "set-cookie": cookie(names.login, "", 0) });
      res.end(`Sign-in failed: ${why}. Open the confirmation page again.`);
    };
    const login = unseal<Login>(read(req, names.login));
    if (!login || !RETURN_TO.test(login.returnTo)) return fail("this browser did not start a sign-in here, or it took too long");
    let person: SignedIn;
    try {
      const config = await opts.issuer.configuration();
      const current = new URL(req.url ?? "/", opts.publicOrigin);
      const tokens = await oidc.authorizationCodeGrant(config, current, { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce, idTokenExpected: true }, { resource: opts.policy.audience });
      const claims = tokens.claims();
      if (!claims?.sub) return fail("the identity provider named nobody");
      // The approver scope counts only from an access token this server would accept on /mcp (same issuer, audience, keys).
      const checked = await checkToken(tokens.access_token, opts.issuer, opts.policy);
      const approver = checked.ok && checked.person.actor.sub === claims.sub && checked.person.scopes.includes(opts.approverScope);
      const display = [claims.preferred_username, claims.email].find((v): v is string => typeof v === "string" && v.length > 0);
      person = { sub: claims.sub, ...(display ? { name: display.slice(0, 256) } : {}), approver, exp: now() + SIGNED_IN_MS };
    } catch (err) {
      return fail((err as Error).message);
    }
    res.writeHead(303, { location: login.returnTo, "cache-control": "no-store", "set-cookie": [cookie(names.session, seal(person), SIGNED_IN_MS), cookie(names.login, "", 0)] });
    res.end();
  }

  return { gate, callback };
}

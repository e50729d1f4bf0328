// Sign-in for /mcp: the bearer token names a person, and the scopes it carries decide what that person's requests may do.
import type { IncomingMessage } from "node:http";
import type { AuthInfo } from "@modelcontextprotocol/server";
import type { Config } from "../../config/resolve.js";
import type { Logger } from "../../core/log.js";
import type { Caller } from "../../mcp/caller.js";
import type { ToolKind } from "../../mcp/define-tool.js";
import { createIssuer, type Issuer } from "./oauth-issuer.js";
import {
  insufficientScopeChallenge,
  invalidTokenChallenge,
  missingTokenChallenge,
  type OAuthSettings,
} from "./oauth-metadata.js";
import { checkToken, type Person, type TokenPolicy } from "./oauth-token.js";

export type GateRefusal = { status: 401 | 403 | 503; message: string; headers: Record<string, string>; log: string };
type Authenticated = { ok: true; person: Person } | { ok: false; refusal: GateRefusal };

export interface OAuthGate {
  settings: OAuthSettings;
  issuer: Issuer;
  /** Checks the token; on success the request carries `auth` (no token inside) for the MCP handlers. */
  authenticate(req: IncomingMessage): Promise<Authenticated>;
  /** Refuses a request whose JSON-RPC method needs a scope the person lacks, before the MCP server sees it. */
  authorize(req: IncomingMessage, person: Person, body: unknown): GateRefusal | undefined;
}

export interface GateOptions {
  /** Shortest time between key-set fetches for unknown key ids; tests shorten it. @default 30_000 */
  jwksCooldownMs?: number;
  /** The provider as another part of this server already sees it (the confirmation page's sign-in), to share. */
  issuer?: Issuer;
  /**
   * The kind of an offered tool (the inventory's kindOf), for the scope check before a call reaches the server. A tool
   * not offered has none: its call goes on to the server's "unknown tool", not to a scope challenge.
   */
  toolKind?: (name: string) => ToolKind | undefined;
}

const KINDS: readonly ToolKind[] = ["read", "write", "destructive"];
const READ_METHODS = new Set(["resources/read", "resources/list", "resources/templates/list"]);

export type OAuthConfig = Pick<
  Config,
  | "oauthIssuer"
  | "oauthAudience"
  | "oauthScopeRead"
  | "oauthScopeWrite"
  | "oauthScopeDestructive"
  | "oauthRightsClaims"
  | "oauthClockSkewSeconds"
  | "oauthIntrospection"
  | "oauthClientId"
  | "oauthClientSecret"
>;

export function oauthSettings(config: OAuthConfig): OAuthSettings | undefined {
  if (!config.oauthIssuer || !config.oauthAudience) return undefined;
  return {
    issuer: config.oauthIssuer,
    audience: config.oauthAudience,
    scopes: { read: config.oauthScopeRead, write: config.oauthScopeWrite, destructive: config.oauthScopeDestructive },
  };
}

/** How tokens are checked: the same for /mcp requests and the confirmation page's sign-in. */
export function tokenPolicy(config: OAuthConfig, settings: OAuthSettings): TokenPolicy {
  return {
    issuer: settings.issuer,
    audience: settings.audience,
    clockSkewSeconds: config.oauthClockSkewSeconds,
    rightsClaims: config.oauthRightsClaims,
    introspection: config.oauthIntrospection,
  };
}

export function createOAuthGate(config: OAuthConfig, log: Logger, opts: GateOptions = {}): OAuthGate | undefined {
  const settings = oauthSettings(config);
  if (!settings) return undefined;
  const toolKind = opts.toolKind;
  if (!toolKind) throw new Error("the sign-in gate needs the inventory's toolKind to check a tool call's scope");
  const issuer =
    opts.issuer ??
    createIssuer({
      issuer: settings.issuer,
      clientId: config.oauthClientId,
      clientSecret: config.oauthClientSecret,
      log,
      ...(opts.jwksCooldownMs !== undefined ? { jwksCooldownMs: opts.jwksCooldownMs } : {}),
    });
  const policy = tokenPolicy(config, settings);
  const kindsOf = (person: Person) => KINDS.filter((k) => person.scopes.includes(settings.scopes[k]));
  const held = (person: Person) => KINDS.map((k) => settings.scopes[k]).filter((s) => person.scopes.includes(s));

  const insufficient = (person: Person, kind: ToolKind, what: string): GateRefusal => {
    const scope = [...new Set([...held(person), settings.scopes[kind]])].join(" ");
    const why = `${what} needs the ${settings.scopes[kind]} scope`;
    return {
      status: 403,
      message: `Forbidden: ${why}; sign in again with it (ask your administrator if your account lacks it). Nothing was sent to ISC.`,
      headers: { "www-authenticate": insufficientScopeChallenge(settings, scope, why) },
      log: `insufficient scope (${settings.scopes[kind]}) for ${what}`,
    };
  };

  return {
    settings,
    issuer,
    async authenticate(req): Promise<Authenticated> {
      const refused = (refusal: GateRefusal): Authenticated => ({ ok: false, refusal });
      const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
      if (!match?.[1]) {
        return refused({
          status: 401,
          message: "Unauthorized: sign in; this server's Protected Resource Metadata names the identity provider.",
          headers: { "www-authenticate": missingTokenChallenge(settings) },
          log: "no bearer token",
        });
      }
      const check = await checkToken(match[1], issuer, policy);
      if (!check.ok && check.kind === "invalid") {
        return refused({
          status: 401,
          message: `Unauthorized: ${check.why}. Sign in again.`,
          headers: { "www-authenticate": invalidTokenChallenge(settings, check.why) },
          log: `token refused: ${check.why}`,
        });
      }
      if (!check.ok) {
        // Fail closed: a token nobody could check is no token; nothing goes further, least of all to ISC.
        return refused({
          status: 503,
          message: `Service unavailable: ${check.why}. Nothing was sent to ISC; retry when the identity provider is back.`,
          headers: { "retry-after": "10" },
          log: check.why,
        });
      }
      const person = check.person;
      const caller: Caller = { actor: person.actor, kinds: kindsOf(person) };
      // The person's token stops here: MCP handlers get who asked and what they may do, never the token itself (nor does ISC).
      const auth: AuthInfo = {
        token: "",
        clientId: person.clientId,
        scopes: person.scopes,
        resource: new URL(settings.audience),
        extra: { caller },
        ...(person.expiresAt ? { expiresAt: person.expiresAt } : {}),
      };
      (req as IncomingMessage & { auth?: AuthInfo }).auth = auth;
      return { ok: true, person };
    },
    authorize(_req, person, body) {
      const kinds = kindsOf(person);
      if (kinds.length === 0) return insufficient(person, "read", "this server");
      for (const message of Array.isArray(body) ? body : [body]) {
        const { method, params } = (message ?? {}) as { method?: unknown; params?: { name?: unknown } };
        let kind: ToolKind | undefined;
        let what = "";
        if (method === "tools/call" && typeof params?.name === "string") {
          kind = toolKind(params.name);
          what = `the tool ${params.name}`;
        } else if (typeof method === "string" && READ_METHODS.has(method)) {
          kind = "read";
          what = method;
        }
        if (kind && !kinds.includes(kind)) return insufficient(person, kind, what);
      }
      return undefined;
    },
  };
}

// What this server publishes about its sign-in: Protected Resource Metadata (RFC 9728) and the WWW-Authenticate challenges.
import type { ToolKind } from "../../mcp/define-tool.js";

export interface OAuthSettings {
  issuer: string;
  /** This server's canonical URL (RFC 8707 resource); tokens must carry it as `aud`. */
  audience: string;
  scopes: Record<ToolKind, string>;
}

const WELL_KNOWN = "/.well-known/oauth-protected-resource";

/** The paths the metadata is served at: the RFC 9728 form for the resource's path, and the plain one older hosts ask for. */
export function metadataPaths(settings: OAuthSettings): string[] {
  const path = new URL(settings.audience).pathname.replace(/\/+$/, "");
  return [...new Set([WELL_KNOWN, `${WELL_KNOWN}${path}`, `${WELL_KNOWN}/mcp`])];
}

/** The public URL hosts are pointed at: built on the audience, because behind a proxy the bound address is not it. */
export function metadataUrl(settings: OAuthSettings): string {
  const url = new URL(settings.audience);
  return `${url.origin}${WELL_KNOWN}${url.pathname.replace(/\/+$/, "")}`;
}

export function protectedResourceMetadata(settings: OAuthSettings): Record<string, unknown> {
  return {
    resource: settings.audience,
    authorization_servers: [settings.issuer],
    scopes_supported: Object.values(settings.scopes),
    bearer_methods_supported: ["header"],
    resource_name: "isc-identities-mcp",
  };
}

/** Values here are our own words and validated scope tokens; quotes and backslashes are escaped anyway (RFC 9110 quoted-string). */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function challenge(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  return `Bearer ${parts.map(([k, v]) => `${k}=${quoted(v)}`).join(", ")}`;
}

/** No token: where to learn how to sign in, and every scope (the provider grants each person only theirs). */
export function missingTokenChallenge(settings: OAuthSettings): string {
  return challenge({ resource_metadata: metadataUrl(settings), scope: Object.values(settings.scopes).join(" ") });
}

export function invalidTokenChallenge(settings: OAuthSettings, why: string): string {
  return challenge({ error: "invalid_token", error_description: why, resource_metadata: metadataUrl(settings) });
}

/** Step-up: the scopes to ask for, the missing one with those already held, so signing in again loses nothing. */
export function insufficientScopeChallenge(settings: OAuthSettings, scope: string, why: string): string {
  return challenge({
    error: "insufficient_scope",
    scope,
    resource_metadata: metadataUrl(settings),
    error_description: why,
  });
}

// The checks a serving config must pass before anything connects or listens: each refusal says what to set instead.
import { ConfigError } from "../core/errors.js";
import { normaliseRedisUrl } from "./redis-url.js";
import type { Config } from "./config.js";
import { isLoopback, normalisePublicUrl, oauthUrl } from "./urls.js";

/** Shortest --confirm-ttl accepted. */
export const MIN_CONFIRM_TTL_SECONDS = 60;
/** Shortest ISC_MCP_CONFIRM_KEY accepted: it signs confirmation codes and seals requestState. */
export const MIN_CONFIRM_KEY_LENGTH = 16;

/** What this build offers, for the checks that name it; the CLI passes it in (config imports neither tools/ nor mcp/). */
export interface Known {
  /** The catalog's tool names, in catalog order; without them --tools and --exclude-tools are not checked. */
  tools?: readonly string[] | undefined;
}

/** Every check of a config that will serve (or be shown by `config`); normalises URLs in place. `notes` names where each value came from. */
export function checkConfig(config: Config, notes: Readonly<Record<string, string>>, known: Known = {}): void {
  if (known.tools) checkToolNames(config, known.tools);
  if (config.redisUrl) config.redisUrl = normaliseRedisUrl(config.redisUrl, notes.redisUrl ?? "--redis-url");
  if (config.confirmKey !== undefined && config.confirmKey.length < MIN_CONFIRM_KEY_LENGTH) {
    throw new ConfigError(
      `ISC_MCP_CONFIRM_KEY must be at least ${MIN_CONFIRM_KEY_LENGTH} characters long (a long random secret: it signs confirmation codes and seals requestState).`,
    );
  }
  checkHttp(config);
  checkSharedKey(config);
  for (const [n, flag] of [
    [config.maxPendingPerSession, "--max-pending-per-session"],
    [config.maxPending, "--max-pending"],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag} must be a whole number of at least 1, got ${n}.`);
  }
  if (config.confirmTtlSeconds < MIN_CONFIRM_TTL_SECONDS) {
    // A human must read the preview and answer (or the model relay a code) before it expires.
    throw new ConfigError(
      `--confirm-ttl must be at least ${MIN_CONFIRM_TTL_SECONDS} seconds (time for a person to read the preview and answer), got ${config.confirmTtlSeconds}.`,
    );
  }
}

/** Fails on a name in --tools or --exclude-tools that the catalog lacks: a typo must not quietly hide or show a tool. */
function checkToolNames(config: Pick<Config, "tools" | "excludeTools">, valid: readonly string[]): void {
  const names = new Set(valid);
  for (const [flag, list] of [
    ["--tools", config.tools],
    ["--exclude-tools", config.excludeTools],
  ] as const) {
    const unknown = (list ?? []).filter((n) => !names.has(n));
    if (unknown.length > 0) {
      throw new ConfigError(
        `${flag} names unknown tool(s): ${unknown.join(", ")}. Valid tools: ${[...names].join(", ")}.`,
      );
    }
  }
}

/** A port anything here listens on (the HTTP transport, the `sandbox` command). */
export function checkPort(config: Pick<Config, "port">): void {
  if (!Number.isInteger(config.port) || config.port > 65_535)
    throw new ConfigError(`--port must be an integer from 0 to 65535, got ${config.port}.`);
}

/** HTTP settings that must be refused before anything listens. */
function checkHttp(config: Config): void {
  checkPort(config);
  if (!Number.isInteger(config.maxSessions) || config.maxSessions < 1)
    throw new ConfigError(`--max-sessions must be a whole number of at least 1, got ${config.maxSessions}.`);
  if (!Number.isInteger(config.maxRequests) || config.maxRequests < 1)
    throw new ConfigError(`--max-requests must be a whole number of at least 1, got ${config.maxRequests}.`);
  if (!config.http) {
    if (config.stateless) throw new ConfigError("--stateless only applies to the HTTP transport: add --http.");
    if (config.oauthIssuer || config.oauthAudience)
      throw new ConfigError("--oauth-issuer and --oauth-audience only apply to the HTTP transport: add --http.");
    // Without sign-in no approver can be told apart from the asker: every destructive call would be refused.
    if (config.fourEyes)
      throw new ConfigError(
        "--four-eyes needs sign-in, which only the HTTP transport has: add --http --oauth-issuer … --oauth-audience … --oauth-client-id … (the confirmation page signs the approver in).",
      );
    if (config.prometheus)
      throw new ConfigError(
        "--prometheus serves /metrics on the HTTP listener: add --http (or export over OTLP with OTEL_EXPORTER_OTLP_ENDPOINT, which stdio can do).",
      );
    return;
  }
  if (config.stateless && !config.redisUrl && !config.singleReplica) {
    // Each replica would keep its own spent codes: a code sent to two of them would act twice.
    throw new ConfigError(
      "--stateless needs --redis-url (shared by every replica, so a confirmation code works once across all of them), or --single-replica if this process is the only one.",
    );
  }
  if (config.stateless && !config.confirmKey) {
    // Every replica behind a load balancer must accept every other's confirmation codes.
    throw new ConfigError(
      "--stateless needs ISC_MCP_CONFIRM_KEY (a long random secret shared by every replica) so confirmation codes work across requests.",
    );
  }
  if (config.publicUrl) config.publicUrl = normalisePublicUrl(config.publicUrl);
  checkOAuth(config);
  if (!isLoopback(config.host) && !config.httpToken && !config.oauthIssuer) {
    throw new ConfigError(
      `--host ${config.host} is reachable from other machines: set ISC_MCP_HTTP_TOKEN (a long random secret clients send as "Authorization: Bearer …"), or sign people in with --oauth-issuer and --oauth-audience, or bind 127.0.0.1.`,
    );
  }
}

/**
 * ISC_MCP_CONFIRM_KEY lets every process that has it accept the others' codes; spent codes must then be
 * shared too, or one code acts once in each process. Stdio, HTTP sessions and --stateless alike.
 */
function checkSharedKey(config: Config): void {
  if (!config.confirmKey || config.redisUrl || config.singleReplica) return;
  throw new ConfigError(
    "ISC_MCP_CONFIRM_KEY is set, so every server process with that key accepts this one's confirmation codes, but without --redis-url each process keeps its own record of spent codes: one code could act once in each of them. Set --redis-url (one Redis for every process with the key), or --single-replica if this process is the only one with it, or unset ISC_MCP_CONFIRM_KEY.",
  );
}

/** OAuth settings come as a set: issuer and audience together, three distinct scopes, a bounded skew. */
function checkOAuth(config: Config): void {
  const any = config.oauthIssuer || config.oauthAudience;
  if (!any) {
    if (config.fourEyes)
      throw new ConfigError(
        "--four-eyes needs sign-in, so the server knows who asked and who approves: set --oauth-issuer and --oauth-audience.",
      );
    return;
  }
  if (!config.oauthIssuer || !config.oauthAudience)
    throw new ConfigError(
      "--oauth-issuer and --oauth-audience go together: the provider that signs people in, and this server's own URL that their tokens must name.",
    );
  if (config.httpToken)
    throw new ConfigError(
      "Set either ISC_MCP_HTTP_TOKEN or --oauth-issuer, not both: with sign-in, every request carries its person's token.",
    );
  // Kept exactly as written: the provider's metadata and the tokens' aud are compared as strings.
  config.oauthIssuer = config.oauthIssuer.trim();
  config.oauthAudience = config.oauthAudience.trim();
  oauthUrl(config.oauthIssuer, "--oauth-issuer");
  if (oauthUrl(config.oauthAudience, "--oauth-audience").search)
    throw new ConfigError(`--oauth-audience must not carry a query: "${config.oauthAudience}".`);
  const scopes = [
    config.oauthScopeRead,
    config.oauthScopeWrite,
    config.oauthScopeDestructive,
    config.oauthScopeApprover,
  ];
  if (scopes.some((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)) || new Set(scopes).size !== scopes.length) {
    throw new ConfigError(
      `The --oauth-scope-* values must be distinct scope tokens without spaces or quotes, got ${scopes.map((s) => `"${s}"`).join(", ")}.`,
    );
  }
  if (config.fourEyes && !config.oauthClientId) {
    throw new ConfigError(
      "--four-eyes needs the confirmation page to sign people in: set --oauth-client-id (and ISC_MCP_OAUTH_CLIENT_SECRET for a confidential client).",
    );
  }
  // Without its own client the page could not tell who answers; rather than serve it open, the server does not start.
  // Under --stateless such a config always started without a page (pageShown), so it still does: the start-up line
  // says that a client with URL elicitation only cannot confirm, and that --oauth-client-id turns the page on.
  if (pageWanted(config) && !config.stateless && !config.oauthClientId) {
    const at =
      config.publicUrl ??
      (isLoopback(config.host) && config.port ? `http://${config.host}:${config.port}/` : "<--public-url>/");
    const callback = `${at.replace(/\/?$/, "/")}signin/callback`;
    throw new ConfigError(
      `--oauth-issuer: the confirmation page signs people in through the same provider and needs this server's own client there: set --oauth-client-id (and ISC_MCP_OAUTH_CLIENT_SECRET), with redirect URI ${callback}; or leave url out of --confirm-via.`,
    );
  }
  if (config.oauthClockSkewSeconds > 300)
    throw new ConfigError(`--oauth-clock-skew is at most 300 seconds, got ${config.oauthClockSkewSeconds}.`);
  if (config.oauthRightsClaims.length === 0)
    throw new ConfigError("--oauth-rights-claims names no claim: keep the default scope,scp.");
  if (config.oauthIntrospection && !(config.oauthClientId && config.oauthClientSecret)) {
    throw new ConfigError(
      "--oauth-introspection needs this server's own client at the provider: set --oauth-client-id and ISC_MCP_OAUTH_CLIENT_SECRET.",
    );
  }
}

/** Whether this config asks for confirmation pages (through URL elicitation) at all: not read-only, url allowed by --confirm-via. */
export function pageWanted(config: Pick<Config, "readOnly" | "confirmVia">): boolean {
  return !config.readOnly && (!config.confirmVia || config.confirmVia.includes("url"));
}

/**
 * Whether a server with this config can ever show a confirmation page: wanted, and with sign-in (--oauth-issuer) its
 * own client at the provider (--oauth-client-id), since a page is never served without signing its person in. With
 * sessions the check above refuses a page without that client; under --stateless (where the page's sign-in state
 * travels in sealed cookies and the page in the shared store, so any replica serves any step) there is then no page.
 */
export function pageShown(config: Pick<Config, "readOnly" | "confirmVia" | "oauthIssuer" | "oauthClientId">): boolean {
  return pageWanted(config) && (!config.oauthIssuer || Boolean(config.oauthClientId));
}

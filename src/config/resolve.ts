// Resolves one typed Config from flags > environment > config files > defaults: a pure function, so it is unit-tested directly.
import { parseArgs } from "node:util";
import leven from "leven";
import type { ConfigFiles } from "./files.js";
import { ConfigError } from "../core/errors.js";
import { applyTenantSources, type Layered, type Source } from "./tenant.js";
import { OPTIONS, type ApiVersion, type OptionDef } from "./options.js";
import { normaliseRedisUrl } from "../core/redis-url.js";
import type { LogLevel } from "../core/log.js";
import { checkPlaceholders, isUnexpandedBundleSetting } from "./placeholders.js";

export { helpText } from "./help-text.js";
export type { Source } from "./tenant.js";

export interface Config {
  sandbox: boolean;
  sandboxIdentities: number;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  tenant: string | undefined;
  environment: string | undefined;
  apiVersion: ApiVersion;
  readOnly: boolean;
  tools: string[] | undefined;
  excludeTools: string[] | undefined;
  confirm: "auto" | "strict";
  confirmVia: string[] | undefined;
  confirmThreshold: number;
  confirmWindowSeconds: number;
  confirmKey: string | undefined;
  confirmTtlSeconds: number;
  confirmWaitSeconds: number;
  confirmFastAnswerSeconds: number;
  browserGraceSeconds: number;
  maxPendingPerSession: number;
  maxPending: number;
  auditLog: string | undefined;
  rateLimit: number;
  rateWindowMs: number;
  requestTimeoutMs: number;
  callTimeoutMs: number;
  retryBackoffMs: number;
  maxRetryAfterSeconds: number;
  logLevel: LogLevel;
  http: boolean;
  host: string;
  port: number;
  stateless: boolean;
  redisUrl: string | undefined;
  singleReplica: boolean;
  sessionIdleSeconds: number;
  maxSessions: number;
  maxBodyBytes: number;
  allowedHosts: string[] | undefined;
  allowedOrigins: string[] | undefined;
  prometheus: boolean;
  httpToken: string | undefined;
  oauthIssuer: string | undefined;
  oauthAudience: string | undefined;
  oauthScopeRead: string;
  oauthScopeWrite: string;
  oauthScopeDestructive: string;
  oauthScopeApprover: string;
  fourEyes: boolean;
  oauthRightsClaims: string[];
  oauthClockSkewSeconds: number;
  oauthIntrospection: boolean;
  oauthClientId: string | undefined;
  oauthClientSecret: string | undefined;
  publicUrl: string | undefined;
}

export const COMMANDS = ["serve", "config", "init", "demo", "sandbox"] as const;
export type Command = (typeof COMMANDS)[number] | "help" | "version";

/** Options of `init` only; they are not server configuration. */
export interface InitArgs {
  client: string | undefined;
  write: boolean;
  path: string | undefined;
}

export interface Resolved {
  command: Command;
  config: Config;
  /** Where each value came from, for `config` output and debugging. */
  sources: Record<string, Source>;
  /** The flag, variable or file behind each value. */
  notes: Record<string, string>;
  init: InitArgs;
}

const INIT_FLAGS = ["client", "write", "path"];
/** Shortest --confirm-ttl accepted. */
export const MIN_CONFIRM_TTL_SECONDS = 60;

/** parseArgs' messages run on about "--" and positionals; say what was wrong and the closest real flag. */
function argumentError(err: Error & { code?: string }, flags: readonly string[]): string {
  const help = "Run with --help to see the options.";
  if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const given = /'([^']+)'/.exec(err.message)?.[1] ?? "";
    const name = given.replace(/^-+/, "").split("=")[0]!;
    const ranked = flags.map((f) => ({ f, d: leven(name.toLowerCase(), f) })).sort((a, b) => a.d - b.d);
    // A typo (edits of at most a third of the letters), else a real flag the given one starts.
    const close = ranked[0] && ranked[0].d <= Math.max(2, Math.floor(name.length / 3)) ? ranked[0].f : undefined;
    const guess = close ?? (name.length >= 3 ? flags.find((f) => f.startsWith(name)) : undefined);
    return `Unknown option ${given}.${guess ? ` Did you mean --${guess}?` : ""} ${help}`;
  }
  return `${err.message.split("\n")[0]!.replace(/\.?$/, ".")} ${help}`;
}

const BUNDLE_FIX = "Fill in Tenant name (or Tenant API URL), Client ID and Client secret in this extension's settings, or turn on Sandbox tenant.";
const FIX = "Set SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET (a personal access token's client id and secret), or run with --sandbox to try the built-in sandbox tenant.";

function parseValue(def: OptionDef, raw: string | boolean, origin: string): unknown {
  switch (def.type) {
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      const v = raw.trim().toLowerCase();
      if (["1", "true", "yes", "on"].includes(v)) return true;
      if (["0", "false", "no", "off", ""].includes(v)) return false;
      throw new ConfigError(`${origin} must be true or false, got "${raw}".`);
    }
    case "number": {
      const n = Number(raw);
      if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(n) || n < 0) {
        throw new ConfigError(`${origin} must be a non-negative number, got "${String(raw)}".`);
      }
      return n;
    }
    case "list":
      return String(raw).split(",").map((s) => s.trim()).filter(Boolean);
    case "string": {
      const s = String(raw);
      if (def.values && !def.values.includes(s)) {
        throw new ConfigError(`${origin} must be one of ${def.values.join(", ")}, got "${s}".`);
      }
      return s;
    }
  }
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Checks and normalises the tenant root: https (or loopback http), no path, no version suffix. */
export function normaliseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`SAIL_BASE_URL is not a URL: "${raw}". Use the tenant root, e.g. https://acme.api.identitynow.com.`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new ConfigError(`SAIL_BASE_URL must use https (plain http is only allowed for loopback addresses): "${raw}".`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`SAIL_BASE_URL must be a plain tenant root without credentials, query or fragment: "${url.origin}".`);
  }
  // The tenant's web address (what the browser shows) is the most common wrong value; its API lives on TENANT.api.….
  const ui = /^([a-z0-9-]+)\.(identitynow(?:-demo)?\.com)$/i.exec(url.hostname);
  if (ui) {
    throw new ConfigError(`SAIL_BASE_URL ${url.origin} is the tenant's web address, not its API: did you mean https://${ui[1]!.toLowerCase()}.api.${ui[2]!.toLowerCase()}?`);
  }
  const path = url.pathname.replace(/\/+$/, "");
  if (path !== "") {
    throw new ConfigError(`SAIL_BASE_URL must be the tenant root without a path or version (got "${path}"), e.g. ${url.origin}.`);
  }
  return url.origin;
}

/** `files` comes from loadConfigFiles (config-files.ts); passing it in keeps this function pure. */
export function resolveConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, files: ConfigFiles = {}): Resolved {
  const flagDefs = OPTIONS.filter((o) => o.flag);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        client: { type: "string" },
        write: { type: "boolean" },
        path: { type: "string" },
        ...Object.fromEntries(flagDefs.map((o) => [o.flag, { type: o.type === "boolean" ? ("boolean" as const) : ("string" as const) }])),
      },
    });
  } catch (err) {
    throw new ConfigError(argumentError(err as Error & { code?: string }, [...flagDefs.map((o) => o.flag), ...INIT_FLAGS, "help", "version"]));
  }
  const [first, ...extra] = parsed.positionals;
  if ((first !== undefined && !(COMMANDS as readonly string[]).includes(first)) || extra.length > 0) {
    throw new ConfigError(`Unknown command "${extra[0] ?? first}". Commands: ${COMMANDS.join(", ")}. Run with --help to see the options.`);
  }
  const init: InitArgs = { client: parsed.values.client as string | undefined, write: Boolean(parsed.values.write), path: parsed.values.path as string | undefined };
  if (first !== "init" && (init.client !== undefined || init.write || init.path !== undefined)) {
    throw new ConfigError("--client, --write and --path belong to the init command, e.g. isc-identities-mcp init --client claude-desktop.");
  }

  const values: Record<string, unknown> = {};
  const sources: Resolved["sources"] = {};
  const notes: Resolved["notes"] = {};
  for (const def of OPTIONS) {
    const flagValue = def.flag ? parsed.values[def.flag] : undefined;
    const rawEnv = def.env ? env[def.env] : undefined;
    // An MCP Bundle host leaves "${user_config.x}" as is when the user left an optional setting empty: that is "not set".
    const envValue = rawEnv !== undefined && isUnexpandedBundleSetting(rawEnv) ? undefined : rawEnv;
    if (flagValue !== undefined) {
      values[def.key] = parseValue(def, flagValue as string | boolean, `--${def.flag}`);
      sources[def.key] = "flag";
      notes[def.key] = `--${def.flag}`;
    } else if (envValue !== undefined && envValue !== "") {
      values[def.key] = parseValue(def, envValue, def.env!);
      sources[def.key] = "env";
      notes[def.key] = def.env!;
    } else {
      values[def.key] = def.type === "list" && typeof def.default === "string" ? parseValue(def, def.default, "default") : def.default;
      sources[def.key] = "default";
      notes[def.key] = "default";
    }
  }

  const command: Command = parsed.values.help ? "help" : parsed.values.version ? "version" : ((first ?? "serve") as Command);
  const config = values as unknown as Config;
  if (command === "help" || command === "version" || command === "demo" || command === "sandbox") return { command, config, sources, notes, init };
  if (config.redisUrl) config.redisUrl = normaliseRedisUrl(config.redisUrl, notes.redisUrl ?? "--redis-url");
  checkHttp(config);
  checkSharedKey(config);
  for (const [n, flag] of [[config.maxPendingPerSession, "--max-pending-per-session"], [config.maxPending, "--max-pending"]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${flag} must be a whole number of at least 1, got ${n}.`);
  }
  if (config.confirmTtlSeconds < MIN_CONFIRM_TTL_SECONDS) {
    // A human must read the preview and answer (or the model relay a code) before it expires.
    throw new ConfigError(`--confirm-ttl must be at least ${MIN_CONFIRM_TTL_SECONDS} seconds (time for a person to read the preview and answer), got ${config.confirmTtlSeconds}.`);
  }

  if (config.sandbox) {
    // The sandbox supplies its own loopback URL and credentials at start-up.
    const sandboxed = { baseUrl: "sandbox", clientId: "sandbox", clientSecret: "sandbox" } as const;
    return { command, config: { ...config, baseUrl: "", clientId: "", clientSecret: "" }, sources: { ...sources, ...sandboxed }, notes: { ...notes, ...sandboxed }, init };
  }
  const layered: Layered = { values, sources, notes };
  applyTenantSources(layered, files);
  const missing = [
    !config.baseUrl && "SAIL_BASE_URL",
    !config.clientId && "SAIL_CLIENT_ID",
    !config.clientSecret && "SAIL_CLIENT_SECRET",
  ].filter(Boolean);
  // `config` reports what is missing instead of refusing; `init` prints placeholders for it.
  // A value a host was meant to fill in (a placeholder from init, an ${input:…} it did not expand) fails every call: stop now.
  if (command === "serve" || command === "config") checkPlaceholders({ SAIL_BASE_URL: config.baseUrl, SAIL_CLIENT_ID: config.clientId, SAIL_CLIENT_SECRET: config.clientSecret }, notes, { baseUrl: "SAIL_BASE_URL", clientId: "SAIL_CLIENT_ID", clientSecret: "SAIL_CLIENT_SECRET" });
  if (missing.length > 0 && command === "serve") {
    if (files.problems?.[0]) throw new ConfigError(files.problems[0]);
    // Started from an MCP Bundle (its empty settings arrive as "${user_config.…}"): name the settings the user sees.
    const fromBundle = ["SAIL_BASE_URL", "SAIL_CLIENT_ID", "SAIL_CLIENT_SECRET", "ISC_MCP_TENANT"].some((name) => isUnexpandedBundleSetting(env[name] ?? ""));
    throw new ConfigError(`Missing ${missing.join(", ")}. ${fromBundle ? BUNDLE_FIX : FIX}`);
  }
  if (config.baseUrl) {
    try {
      config.baseUrl = normaliseBaseUrl(config.baseUrl);
    } catch (err) {
      // The value may come from a file or --tenant: say which, or the user edits the wrong place.
      throw sources.baseUrl === "env" ? err : new ConfigError(`${(err as Error).message} (The base URL came from ${notes.baseUrl}.)`);
    }
  }
  return { command, config, sources, notes, init };
}

/**
 * The base of confirmation page URLs: http(s) only, https off loopback (a page id read on the wire
 * could answer the page), no credentials, query or fragment; always ends with "/".
 */
export function normalisePublicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`--public-url is not a URL: "${raw}". Use the address users' browsers reach this server at, e.g. https://mcp.example.com.`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new ConfigError(`--public-url must use https (plain http only on loopback addresses): "${raw}".`);
  }
  if (url.username || url.password || url.search || url.hash) throw new ConfigError(`--public-url must not carry credentials, a query or a fragment: "${url.origin}".`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}/`;
}

/** HTTP settings that must be refused before anything listens. */
function checkHttp(config: Config): void {
  if (!Number.isInteger(config.port) || config.port > 65_535) throw new ConfigError(`--port must be an integer from 0 to 65535, got ${config.port}.`);
  if (!Number.isInteger(config.maxSessions) || config.maxSessions < 1) throw new ConfigError(`--max-sessions must be a whole number of at least 1, got ${config.maxSessions}.`);
  if (!config.http) {
    if (config.stateless) throw new ConfigError("--stateless only applies to the HTTP transport: add --http.");
    if (config.oauthIssuer || config.oauthAudience) throw new ConfigError("--oauth-issuer and --oauth-audience only apply to the HTTP transport: add --http.");
    if (config.prometheus) throw new ConfigError("--prometheus serves /metrics on the HTTP listener: add --http (or export over OTLP with OTEL_EXPORTER_OTLP_ENDPOINT, which stdio can do).");
    return;
  }
  if (config.stateless && !config.redisUrl && !config.singleReplica) {
    // Each replica would keep its own spent codes: a code sent to two of them would act twice.
    throw new ConfigError("--stateless needs --redis-url (shared by every replica, so a confirmation code works once across all of them), or --single-replica if this process is the only one.");
  }
  if (config.stateless && !config.confirmKey) {
    // Every replica behind a load balancer must accept every other's confirmation codes.
    throw new ConfigError("--stateless needs ISC_MCP_CONFIRM_KEY (a long random secret shared by every replica) so confirmation codes work across requests.");
  }
  if (config.publicUrl) config.publicUrl = normalisePublicUrl(config.publicUrl);
  checkOAuth(config);
  if (!isLoopback(config.host) && !config.httpToken && !config.oauthIssuer) {
    throw new ConfigError(`--host ${config.host} is reachable from other machines: set ISC_MCP_HTTP_TOKEN (a long random secret clients send as "Authorization: Bearer …"), or sign people in with --oauth-issuer and --oauth-audience, or bind 127.0.0.1.`);
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

/** https (or loopback http), no credentials or fragment: the URL an OAuth setting names. */
function oauthUrl(raw: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${flag} is not a URL: "${raw}".`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new ConfigError(`${flag} must use https (plain http only for loopback addresses): "${raw}".`);
  }
  if (url.username || url.password || url.hash) throw new ConfigError(`${flag} must not carry credentials or a fragment: "${url.origin}${url.pathname}".`);
  return url;
}

/** OAuth settings come as a set: issuer and audience together, three distinct scopes, a bounded skew. */
function checkOAuth(config: Config): void {
  const any = config.oauthIssuer || config.oauthAudience;
  if (!any) {
    if (config.fourEyes) throw new ConfigError("--four-eyes needs sign-in, so the server knows who asked and who approves: set --oauth-issuer and --oauth-audience.");
    return;
  }
  if (!config.oauthIssuer || !config.oauthAudience) throw new ConfigError("--oauth-issuer and --oauth-audience go together: the provider that signs people in, and this server's own URL that their tokens must name.");
  if (config.httpToken) throw new ConfigError("Set either ISC_MCP_HTTP_TOKEN or --oauth-issuer, not both: with sign-in, every request carries its person's token.");
  // Kept exactly as written: the provider's metadata and the tokens' aud are compared as strings.
  config.oauthIssuer = config.oauthIssuer.trim();
  config.oauthAudience = config.oauthAudience.trim();
  oauthUrl(config.oauthIssuer, "--oauth-issuer");
  if (oauthUrl(config.oauthAudience, "--oauth-audience").search) throw new ConfigError(`--oauth-audience must not carry a query: "${config.oauthAudience}".`);
  const scopes = [config.oauthScopeRead, config.oauthScopeWrite, config.oauthScopeDestructive, config.oauthScopeApprover];
  if (scopes.some((s) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)) || new Set(scopes).size !== scopes.length) {
    throw new ConfigError(`The --oauth-scope-* values must be distinct scope tokens without spaces or quotes, got ${scopes.map((s) => `"${s}"`).join(", ")}.`);
  }
  if (config.fourEyes && !config.oauthClientId) {
    throw new ConfigError("--four-eyes needs the confirmation page to sign people in: set --oauth-client-id (and ISC_MCP_OAUTH_CLIENT_SECRET for a confidential client).");
  }
  // Without its own client the page could not tell who answers; rather than serve it open, the server does not start.
  if (pageShown(config) && !config.oauthClientId) {
    const at = config.publicUrl ?? (isLoopback(config.host) && config.port ? `http://${config.host}:${config.port}/` : "<--public-url>/");
    const callback = `${at.replace(/\/?$/, "/")}signin/callback`;
    throw new ConfigError(`--oauth-issuer: the confirmation page signs people in through the same provider and needs this server's own client there: set --oauth-client-id (and ISC_MCP_OAUTH_CLIENT_SECRET), with redirect URI ${callback}; or leave url out of --confirm-via.`);
  }
  if (config.oauthClockSkewSeconds > 300) throw new ConfigError(`--oauth-clock-skew is at most 300 seconds, got ${config.oauthClockSkewSeconds}.`);
  if (config.oauthRightsClaims.length === 0) throw new ConfigError("--oauth-rights-claims names no claim: keep the default scope,scp.");
  if (config.oauthIntrospection && !(config.oauthClientId && config.oauthClientSecret)) {
    throw new ConfigError("--oauth-introspection needs this server's own client at the provider: set --oauth-client-id and ISC_MCP_OAUTH_CLIENT_SECRET.");
  }
}

/** Whether an HTTP server with this config can ever show a confirmation page (through URL elicitation): not read-only, with sessions, url allowed. */
export function pageShown(config: Pick<Config, "readOnly" | "stateless" | "confirmVia">): boolean {
  return !config.readOnly && !config.stateless && (!config.confirmVia || config.confirmVia.includes("url"));
}

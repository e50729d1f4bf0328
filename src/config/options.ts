// Every command-line option, its environment twin and default: the one table config, --help and the README read.
export type OptionType = "boolean" | "string" | "number" | "list";

export interface OptionDef {
  /** Key in the resolved Config. */
  key: string;
  /** Long flag without the leading dashes. */
  flag: string;
  /** Environment twin (flags win over it). */
  env?: string;
  type: OptionType;
  default?: string | number | boolean;
  /** Allowed values, for enums. */
  values?: readonly string[];
  /** Allowed members of a list (a name outside them is refused at resolution). */
  items?: readonly string[];
  /** Resolution never hands serve a config without it (serve stops first): a string, not string | undefined. */
  required?: true;
  /** One line for --help and the README. */
  description: string;
  /** Shown as the value placeholder in --help. */
  placeholder?: string;
  /** Never shown: `config` prints only its length, logs mask it. */
  secret?: boolean;
}

/** Year-versioned prefixes (frozen by SailPoint) and `v1`, the per-resource APIs (`/identities/v1/...`). */
export const API_VERSIONS = ["v2024", "v2025", "v2026", "v1"] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/**
 * Caps on confirmation pages open at once (unanswered, unexpired). A person answers them one at a time: 20 in one
 * session is a model in a loop, not a backlog. Each waiting call holds a little memory and the process's caps bound it
 * whatever the number of sessions (100 by default, so 20 each could reach 2000).
 */
export const PENDING_DEFAULTS = { perSession: 20, perProcess: 1000 } as const;

/** The confirmation channels --confirm-via may name, in their default order (src/guard/channels/ makes each). */
export const CONFIRM_CHANNELS = ["form", "url", "browser", "code"] as const;
export type ConfirmChannel = (typeof CONFIRM_CHANNELS)[number];

/** The table itself, its literal types kept: Config's type is derived from it (config.ts). */
const TABLE = [
  {
    key: "sandbox",
    flag: "sandbox",
    env: "ISC_MCP_SANDBOX",
    type: "boolean",
    default: false,
    description: "Run against the built-in sandbox tenant (no credentials needed).",
  },
  {
    key: "sandboxIdentities",
    flag: "sandbox-identities",
    env: "ISC_MCP_SANDBOX_IDENTITIES",
    type: "number",
    default: 500,
    placeholder: "N",
    description: "How many identities the sandbox tenant is seeded with.",
  },
  {
    key: "baseUrl",
    flag: "base-url",
    env: "SAIL_BASE_URL",
    type: "string",
    required: true,
    placeholder: "URL",
    description: "Tenant API root, e.g. https://acme.api.identitynow.com (no version suffix).",
  },
  {
    key: "clientId",
    flag: "client-id",
    env: "SAIL_CLIENT_ID",
    type: "string",
    required: true,
    placeholder: "ID",
    description:
      "OAuth client id of a personal access token (not an API client: its token acts for no user, and most tools need one).",
  },
  {
    key: "clientSecret",
    env: "SAIL_CLIENT_SECRET",
    flag: "",
    type: "string",
    required: true,
    secret: true,
    description: "OAuth client secret (environment only: flags show up in process lists).",
  },
  {
    key: "tenant",
    flag: "tenant",
    env: "ISC_MCP_TENANT",
    type: "string",
    placeholder: "NAME",
    description: "Shorthand for the base URL: acme means https://acme.api.identitynow.com.",
  },
  {
    key: "environment",
    flag: "env",
    env: "ISC_MCP_ENV",
    type: "string",
    placeholder: "NAME",
    description: "Take the base URL from this environment of ~/.sailpoint/config.yaml (SailPoint CLI).",
  },
  {
    key: "apiVersion",
    flag: "api-version",
    env: "ISC_MCP_API_VERSION",
    type: "string",
    default: "v1",
    values: API_VERSIONS,
    description:
      "ISC API version: v1 = the per-resource APIs (/identities/v1); v2024-v2026 = the frozen year versions.",
  },
  {
    key: "readOnly",
    flag: "read-only",
    env: "ISC_MCP_READ_ONLY",
    type: "boolean",
    default: false,
    description: "Expose only the read tools. Beats every other tool selection.",
  },
  {
    key: "tools",
    flag: "tools",
    env: "ISC_MCP_TOOLS",
    type: "list",
    placeholder: "a,b",
    description: "Expose only these tools (comma separated).",
  },
  {
    key: "excludeTools",
    flag: "exclude-tools",
    env: "ISC_MCP_EXCLUDE_TOOLS",
    type: "list",
    placeholder: "a,b",
    description: "Hide these tools; beats --tools.",
  },
  {
    key: "confirm",
    flag: "confirm",
    env: "ISC_MCP_CONFIRM",
    type: "string",
    default: "strict",
    values: ["strict", "auto"],
    description:
      "strict: only a human confirms, on a screen the model cannot answer for (form, URL page, browser page); auto: where no such screen exists, the model gets a single-use code to pass back (weaker: opt in only for hosts that cannot show one).",
  },
  {
    key: "confirmVia",
    flag: "confirm-via",
    env: "ISC_MCP_CONFIRM_VIA",
    type: "list",
    items: CONFIRM_CHANNELS,
    placeholder: "form,url,browser,code",
    description:
      "Confirmation channels to use, in order (default form,url,browser,code): the first one available for this client is used.",
  },
  {
    key: "confirmThreshold",
    flag: "confirm-threshold",
    env: "ISC_MCP_CONFIRM_THRESHOLD",
    type: "number",
    default: 10,
    placeholder: "N",
    description:
      "Invite/process need confirmation once one tool touched more identities than this within --confirm-window.",
  },
  {
    key: "confirmWindowSeconds",
    flag: "confirm-window",
    env: "ISC_MCP_CONFIRM_WINDOW",
    type: "number",
    default: 900,
    placeholder: "SECONDS",
    description: "Window over which invite/process batches add up toward --confirm-threshold.",
  },
  {
    key: "confirmKey",
    flag: "",
    env: "ISC_MCP_CONFIRM_KEY",
    type: "string",
    secret: true,
    description:
      "Key that signs confirmation codes and seals a 2026-07-28 confirmation's requestState (16+ characters, the same on every replica); needs --redis-url, or --single-replica; default: a random key per process.",
  },
  {
    key: "confirmTtlSeconds",
    flag: "confirm-ttl",
    env: "ISC_MCP_CONFIRM_TTL",
    type: "number",
    default: 300,
    placeholder: "SECONDS",
    description: "How long a confirmation code or confirmation page stays valid (at least 60).",
  },
  {
    key: "confirmWaitSeconds",
    flag: "confirm-wait",
    env: "ISC_MCP_CONFIRM_WAIT",
    type: "number",
    default: 45,
    placeholder: "SECONDS",
    description:
      "How long a call waits for the human's answer on the confirmation page before telling the model to call again.",
  },
  {
    key: "confirmFastAnswerSeconds",
    flag: "confirm-fast-answer",
    env: "ISC_MCP_CONFIRM_FAST_ANSWER",
    type: "number",
    default: 1,
    placeholder: "SECONDS",
    description:
      "An answer to a form (yes, no or cancel) the client sends back sooner than this after asking is taken as its host's, not a person's (auto-declined, auto-accepted): the confirmation moves on to the next human channel (the confirmation page), else is refused. 0: every answer counts.",
  },
  {
    key: "browserGraceSeconds",
    flag: "browser-grace",
    env: "ISC_MCP_BROWSER_GRACE",
    type: "number",
    default: 2,
    placeholder: "SECONDS",
    description:
      "A browser command (BROWSER, or the desktop's opener) that cannot start, or exits non-zero within this time, has failed and the next channel is asked; one still running then, or that exited 0, opened the page.",
  },
  {
    key: "maxPendingPerSession",
    flag: "max-pending-per-session",
    env: "ISC_MCP_MAX_PENDING_PER_SESSION",
    type: "number",
    default: PENDING_DEFAULTS.perSession,
    placeholder: "N",
    description:
      "Confirmation pages one MCP session (or one signed-in person) may have open at once; past it a new one is refused until one is answered, cancelled or expired. A re-call that joins an open page is never refused.",
  },
  {
    key: "maxPending",
    flag: "max-pending",
    env: "ISC_MCP_MAX_PENDING",
    type: "number",
    default: PENDING_DEFAULTS.perProcess,
    placeholder: "N",
    description: "Confirmation pages this process may have open at once, all sessions together.",
  },
  {
    key: "auditLog",
    flag: "audit-log",
    env: "ISC_MCP_AUDIT_LOG",
    type: "string",
    placeholder: "FILE",
    description: "Append the audit log (JSON lines) to this file instead of stderr.",
  },
  {
    key: "rateLimit",
    flag: "rate-limit",
    env: "ISC_MCP_RATE_LIMIT",
    type: "number",
    default: 95,
    placeholder: "N",
    description:
      "Send at most N requests to ISC per --rate-window (ISC allows 100 per 10 s per client id); 0 turns the limiter off.",
  },
  {
    key: "rateWindowMs",
    flag: "rate-window",
    env: "ISC_MCP_RATE_WINDOW_MS",
    type: "number",
    default: 10_000,
    placeholder: "MS",
    description: "The sliding window --rate-limit counts over (ISC's is 10 s).",
  },
  {
    key: "requestTimeoutMs",
    flag: "request-timeout",
    env: "ISC_MCP_REQUEST_TIMEOUT_MS",
    type: "number",
    default: 30_000,
    placeholder: "MS",
    description: "Timeout of one HTTP request to ISC.",
  },
  {
    key: "callTimeoutMs",
    flag: "call-timeout",
    env: "ISC_MCP_CALL_TIMEOUT_MS",
    type: "number",
    default: 120_000,
    placeholder: "MS",
    description: "Deadline of one tool call, retries and waits included.",
  },
  {
    key: "retryBackoffMs",
    flag: "retry-backoff",
    env: "ISC_MCP_RETRY_BACKOFF_MS",
    type: "number",
    default: 300,
    placeholder: "MS",
    description:
      "Wait before retrying a failed read (or a 429 without Retry-After); doubles with each retry, at most 5 s.",
  },
  {
    key: "maxRetryAfterSeconds",
    flag: "max-retry-after",
    env: "ISC_MCP_MAX_RETRY_AFTER",
    type: "number",
    default: 30,
    placeholder: "SECONDS",
    description: "Longest Retry-After the server waits out before reporting a rate limit.",
  },
  {
    key: "logLevel",
    flag: "log-level",
    env: "ISC_MCP_LOG_LEVEL",
    type: "string",
    default: "info",
    values: ["debug", "info", "warn", "error", "silent"],
    description: "Verbosity of the stderr log.",
  },
  {
    key: "http",
    flag: "http",
    env: "ISC_MCP_HTTP",
    type: "boolean",
    default: false,
    description: "Serve MCP over Streamable HTTP at /mcp instead of stdio.",
  },
  {
    key: "host",
    flag: "host",
    env: "ISC_MCP_HOST",
    type: "string",
    default: "127.0.0.1",
    placeholder: "ADDRESS",
    description: "Address the HTTP transport binds; anything but loopback needs ISC_MCP_HTTP_TOKEN or --oauth-issuer.",
  },
  {
    key: "port",
    flag: "port",
    env: "ISC_MCP_PORT",
    type: "number",
    default: 3000,
    placeholder: "PORT",
    description: "Port of the HTTP transport; 0 picks a free one (the startup line says which).",
  },
  {
    key: "stateless",
    flag: "stateless",
    env: "ISC_MCP_STATELESS",
    type: "boolean",
    default: false,
    description:
      "HTTP without sessions for 2025-era clients too (2026-07-28 clients are always served per request): a fresh server per request, GET refused; needs ISC_MCP_CONFIRM_KEY and --redis-url (or --single-replica).",
  },
  {
    key: "redisUrl",
    flag: "redis-url",
    env: "ISC_MCP_REDIS_URL",
    type: "string",
    placeholder: "URL",
    description:
      "Share spent codes, confirmations, cooldowns and ISC's request budget with every replica on this Redis (redis:// or rediss://).",
  },
  {
    key: "singleReplica",
    flag: "single-replica",
    env: "ISC_MCP_SINGLE_REPLICA",
    type: "boolean",
    default: false,
    description:
      "Allows ISC_MCP_CONFIRM_KEY (and --stateless) without --redis-url: this process is the only one with that key, so its memory can hold the spent codes (codes from before a restart are refused).",
  },
  {
    key: "sessionIdleSeconds",
    flag: "session-idle-timeout",
    env: "ISC_MCP_SESSION_IDLE_TIMEOUT",
    type: "number",
    default: 1800,
    placeholder: "SECONDS",
    description: "HTTP sessions with no request for this long are closed.",
  },
  {
    key: "maxSessions",
    flag: "max-sessions",
    env: "ISC_MCP_MAX_SESSIONS",
    type: "number",
    default: 100,
    placeholder: "N",
    description: "Concurrent HTTP sessions; a new session past this gets 503.",
  },
  {
    key: "maxRequests",
    flag: "max-requests",
    env: "ISC_MCP_MAX_REQUESTS",
    type: "number",
    default: 256,
    placeholder: "N",
    description:
      "HTTP requests answered per request at once (every 2026-07-28 request; 2025 ones too under --stateless; a session's never): one past this gets 503 with Retry-After.",
  },
  {
    key: "maxBodyBytes",
    flag: "max-body",
    env: "ISC_MCP_MAX_BODY",
    type: "number",
    default: 1_048_576,
    placeholder: "BYTES",
    description: "Largest HTTP request body accepted; larger gets 413.",
  },
  {
    key: "allowedHosts",
    flag: "allowed-hosts",
    env: "ISC_MCP_ALLOWED_HOSTS",
    type: "list",
    placeholder: "a,b",
    description: "Host names the HTTP transport answers to (besides loopback names); others get 403.",
  },
  {
    key: "allowedOrigins",
    flag: "allowed-origins",
    env: "ISC_MCP_ALLOWED_ORIGINS",
    type: "list",
    placeholder: "a,b",
    description: "Browser origins allowed (e.g. https://copilot.example.com); default: those of the allowed hosts.",
  },
  {
    key: "prometheus",
    flag: "prometheus",
    env: "ISC_MCP_PROMETHEUS",
    type: "boolean",
    default: false,
    description:
      "Serve the metrics as Prometheus text at /metrics on the HTTP listener, under the same Host, token and sign-in rules as /mcp (OTLP export needs no flag: the standard OTEL_* variables turn it on).",
  },
  {
    key: "httpToken",
    flag: "",
    env: "ISC_MCP_HTTP_TOKEN",
    type: "string",
    secret: true,
    description:
      "Bearer token HTTP clients must send (environment only); off loopback this or --oauth-issuer is required.",
  },
  {
    key: "oauthIssuer",
    flag: "oauth-issuer",
    env: "ISC_MCP_OAUTH_ISSUER",
    type: "string",
    placeholder: "URL",
    description: "Sign-in for HTTP: the identity provider's issuer URL; its metadata and keys are discovered from it.",
  },
  {
    key: "oauthAudience",
    flag: "oauth-audience",
    env: "ISC_MCP_OAUTH_AUDIENCE",
    type: "string",
    placeholder: "URL",
    description:
      "This server's canonical URL (e.g. https://mcp.example.com/mcp): tokens must name it as their audience.",
  },
  {
    key: "oauthScopeRead",
    flag: "oauth-scope-read",
    env: "ISC_MCP_OAUTH_SCOPE_READ",
    type: "string",
    default: "identities:read",
    placeholder: "SCOPE",
    description: "Scope that allows the read tools.",
  },
  {
    key: "oauthScopeWrite",
    flag: "oauth-scope-write",
    env: "ISC_MCP_OAUTH_SCOPE_WRITE",
    type: "string",
    default: "identities:write",
    placeholder: "SCOPE",
    description: "Scope that allows invite, process, sync and the password-reset email.",
  },
  {
    key: "oauthScopeDestructive",
    flag: "oauth-scope-destructive",
    env: "ISC_MCP_OAUTH_SCOPE_DESTRUCTIVE",
    type: "string",
    default: "identities:destructive",
    placeholder: "SCOPE",
    description: "Scope that allows delete and reset.",
  },
  {
    key: "oauthScopeApprover",
    flag: "oauth-scope-approver",
    env: "ISC_MCP_OAUTH_SCOPE_APPROVER",
    type: "string",
    default: "identities:approve",
    placeholder: "SCOPE",
    description: "Scope of the people who may approve someone else's destructive action under --four-eyes.",
  },
  {
    key: "fourEyes",
    flag: "four-eyes",
    env: "ISC_MCP_FOUR_EYES",
    type: "boolean",
    default: false,
    description:
      "Destructive actions need a second person: not the asker's own form nor a code, only a different signed-in approver.",
  },
  {
    key: "oauthRightsClaims",
    flag: "oauth-rights-claims",
    env: "ISC_MCP_OAUTH_RIGHTS_CLAIMS",
    type: "list",
    default: "scope,scp",
    placeholder: "a,b",
    description: "Token claims that carry the scopes above (add roles for app roles).",
  },
  {
    key: "oauthClockSkewSeconds",
    flag: "oauth-clock-skew",
    env: "ISC_MCP_OAUTH_CLOCK_SKEW",
    type: "number",
    default: 30,
    placeholder: "SECONDS",
    description: "Clock difference tolerated on a token's exp and nbf (at most 300).",
  },
  {
    key: "oauthIntrospection",
    flag: "oauth-introspection",
    env: "ISC_MCP_OAUTH_INTROSPECTION",
    type: "boolean",
    default: false,
    description: "Check opaque (non-JWT) tokens at the provider's introspection endpoint (needs the client below).",
  },
  {
    key: "oauthClientId",
    flag: "oauth-client-id",
    env: "ISC_MCP_OAUTH_CLIENT_ID",
    type: "string",
    placeholder: "ID",
    description:
      "This server's own client at the identity provider: the confirmation page signs people in with it (redirect URI <page URL>/signin/callback); also for introspection. Needed with --oauth-issuer.",
  },
  {
    key: "oauthClientSecret",
    flag: "",
    env: "ISC_MCP_OAUTH_CLIENT_SECRET",
    type: "string",
    secret: true,
    description: "Secret of that client (environment only).",
  },
  {
    key: "publicUrl",
    flag: "public-url",
    env: "ISC_MCP_PUBLIC_URL",
    type: "string",
    placeholder: "URL",
    description:
      "URL at which users' browsers reach this HTTP server (behind a proxy or load balancer), for confirmation pages; https unless loopback.",
  },
] as const satisfies readonly OptionDef[];

export type OptionTable = typeof TABLE;
export const OPTIONS: readonly OptionDef[] = TABLE;

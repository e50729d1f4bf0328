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
  /** One line for --help and the README. */
  description: string;
  /** Shown as the value placeholder in --help. */
  placeholder?: string;
}

export const API_VERSIONS = ["v2024", "v2025"] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

export const OPTIONS: readonly OptionDef[] = [
  { key: "sandbox", flag: "sandbox", env: "ISC_MCP_SANDBOX", type: "boolean", default: false, description: "Run against the built-in sandbox tenant (no credentials needed)." },
  { key: "sandboxIdentities", flag: "sandbox-identities", env: "ISC_MCP_SANDBOX_IDENTITIES", type: "number", default: 500, placeholder: "N", description: "How many identities the sandbox tenant is seeded with." },
  { key: "baseUrl", flag: "base-url", env: "SAIL_BASE_URL", type: "string", placeholder: "URL", description: "Tenant API root, e.g. https://acme.api.identitynow.com (no version suffix)." },
  { key: "clientId", flag: "client-id", env: "SAIL_CLIENT_ID", type: "string", placeholder: "ID", description: "OAuth client id of a personal access token or API client." },
  { key: "clientSecret", env: "SAIL_CLIENT_SECRET", flag: "", type: "string", description: "OAuth client secret (environment only: flags show up in process lists)." },
  { key: "apiVersion", flag: "api-version", env: "ISC_MCP_API_VERSION", type: "string", default: "v2025", values: API_VERSIONS, description: "ISC API version prefix to call." },
  { key: "readOnly", flag: "read-only", env: "ISC_MCP_READ_ONLY", type: "boolean", default: false, description: "Expose only the read tools. Beats every other tool selection." },
  { key: "tools", flag: "tools", env: "ISC_MCP_TOOLS", type: "list", placeholder: "a,b", description: "Expose only these tools (comma separated)." },
  { key: "excludeTools", flag: "exclude-tools", env: "ISC_MCP_EXCLUDE_TOOLS", type: "list", placeholder: "a,b", description: "Hide these tools; beats --tools." },
  { key: "confirm", flag: "confirm", env: "ISC_MCP_CONFIRM", type: "string", default: "auto", values: ["auto", "strict"], description: "auto: elicitation, else a confirmation code; strict: elicitation only." },
  { key: "confirmThreshold", flag: "confirm-threshold", env: "ISC_MCP_CONFIRM_THRESHOLD", type: "number", default: 10, placeholder: "N", description: "Invite/process calls naming more identities than this need confirmation." },
  { key: "confirmTtlSeconds", flag: "confirm-ttl", env: "ISC_MCP_CONFIRM_TTL", type: "number", default: 300, placeholder: "SECONDS", description: "How long a confirmation code stays valid." },
  { key: "auditLog", flag: "audit-log", env: "ISC_MCP_AUDIT_LOG", type: "string", placeholder: "FILE", description: "Append the audit log (JSON lines) to this file instead of stderr." },
  { key: "requestTimeoutMs", flag: "request-timeout", env: "ISC_MCP_REQUEST_TIMEOUT_MS", type: "number", default: 30_000, placeholder: "MS", description: "Timeout of one HTTP request to ISC." },
  { key: "callTimeoutMs", flag: "call-timeout", env: "ISC_MCP_CALL_TIMEOUT_MS", type: "number", default: 120_000, placeholder: "MS", description: "Deadline of one tool call, retries and waits included." },
  { key: "maxRetryAfterSeconds", flag: "max-retry-after", env: "ISC_MCP_MAX_RETRY_AFTER", type: "number", default: 30, placeholder: "SECONDS", description: "Longest Retry-After the server waits out before reporting a rate limit." },
  { key: "logLevel", flag: "log-level", env: "ISC_MCP_LOG_LEVEL", type: "string", default: "info", values: ["debug", "info", "warn", "error", "silent"], description: "Verbosity of the stderr log." },
];

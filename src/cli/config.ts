// `isc-identities-mcp config`: the effective configuration with the source of each value (secrets masked), then a token check.
import { createTokenProvider } from "../isc/auth.js";
import type { Resolved } from "../config/resolve.js";
import { registerSecret, redact } from "../core/log.js";
import { OPTIONS } from "../config/options.js";
import { PACKAGE } from "../core/version.js";

export interface ConfigCommandIo {
  out: (line: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Config files that exist but could not be read (loadConfigFiles' `problems`). */
  fileProblems?: readonly string[];
}

const SECRET_KEYS = new Set(["clientSecret", "httpToken", "oauthClientSecret"]);

function show(key: string, value: unknown): string {
  if (value === undefined || value === "") return "(not set)";
  if (SECRET_KEYS.has(key)) return `set, ${String(value).length} characters (masked)`;
  if (Array.isArray(value)) return value.join(",");
  return String(value);
}

/** Exit code 0 when the credentials fetched a token (or the sandbox needs none), 1 otherwise. */
export async function runConfigCommand(resolved: Resolved, io: ConfigCommandIo): Promise<number> {
  const { config, sources, notes } = resolved;
  registerSecret(config.clientSecret);
  registerSecret(config.httpToken);
  registerSecret(config.oauthClientSecret);
  const rows = OPTIONS.map((o) => {
    const key = o.key as keyof typeof config;
    const label = o.flag ? `--${o.flag}` : o.env ?? o.key;
    const from = sources[o.key] === "default" ? "default" : notes[o.key] ?? sources[o.key] ?? "default";
    return [label, show(o.key, config[key]), from] as const;
  });
  const width = Math.max(...rows.map((r) => r[0].length));
  const valueWidth = Math.min(48, Math.max(...rows.map((r) => r[1].length)));
  io.out(`${PACKAGE.name} ${PACKAGE.version}: effective configuration (flags > environment > config files > defaults)`);
  for (const [label, value, from] of rows) io.out(redact(`  ${label.padEnd(width)}  ${value.padEnd(valueWidth)}  from ${from}`));
  // Serving reports a broken file only when it needs a value from it; here the user asked to see everything.
  for (const problem of io.fileProblems ?? []) io.out(redact(`! ${problem}`));
  io.out(`  ${"ISC_MCP_CONFIRM_KEY".padEnd(width)}  ${(io.env.ISC_MCP_CONFIRM_KEY ? "set (masked)" : "(not set: a random key per process)").padEnd(valueWidth)}  from environment`);

  if (config.sandbox) {
    io.out("✓ sandbox mode: the built-in sandbox tenant needs no credentials.");
    return 0;
  }
  const missing = [!config.baseUrl && "SAIL_BASE_URL", !config.clientId && "SAIL_CLIENT_ID", !config.clientSecret && "SAIL_CLIENT_SECRET"].filter(Boolean);
  if (missing.length > 0) {
    io.out(`✗ credentials not checked: missing ${missing.join(", ")}. Set them in the environment or ./config.json (BaseURL, ClientId, ClientSecret), or use --sandbox.`);
    return 1;
  }
  const tokens = createTokenProvider({ baseUrl: config.baseUrl, clientId: config.clientId, clientSecret: config.clientSecret, timeoutMs: Math.min(config.requestTimeoutMs, 15_000) });
  try {
    await tokens.getToken();
    io.out(`✓ credentials work: ${config.baseUrl}/oauth/token issued a token to client ${config.clientId}.`);
    return 0;
  } catch (err) {
    io.out(redact(`✗ credentials failed: ${err instanceof Error ? err.message : String(err)}`));
    return 1;
  }
}

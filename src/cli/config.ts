// `isc-identities-mcp config`: the effective configuration with the source of each value (secrets masked), then a token check.
import { createTokenProvider } from "../isc/auth.js";
import type { Resolved } from "../config/resolve.js";
import { registerSecret, redact } from "../core/log.js";
import { OPTIONS, type OptionDef } from "../config/options.js";
import { maskRedisUrl, redisPassword } from "../config/redis-url.js";
import { PACKAGE } from "../core/version.js";
import { IscError } from "../core/errors.js";
import { hostPort } from "../isc/network-cause.js";

/** The token check waits at most this long (or --request-timeout, when shorter): a person is watching. */
const CHECK_TIMEOUT_MS = 15_000;
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

export interface ConfigCommandIo {
  out: (line: string) => void;
  /** Config files that exist but could not be read (loadConfigFiles' `problems`). */
  fileProblems?: readonly string[];
}

const NOT_SET = "not set";
const isUnset = (value: unknown) => value === undefined || value === "" || (Array.isArray(value) && value.length === 0);

function show(def: OptionDef, value: unknown): string {
  if (isUnset(value)) return def.key === "confirmKey" ? `${NOT_SET} (a random key per process)` : NOT_SET;
  if (def.secret) return `set, ${String(value).length} characters (masked)`;
  if (def.key === "redisUrl") return maskRedisUrl(String(value));
  if (Array.isArray(value)) return value.join(",");
  return String(value);
}

/** Exit code 0 when the credentials fetched a token (or the sandbox needs none), 1 otherwise. */
export async function runConfigCommand(resolved: Resolved, io: ConfigCommandIo): Promise<number> {
  const { config, sources, notes } = resolved;
  for (const o of OPTIONS) if (o.secret) registerSecret(config[o.key as keyof typeof config] as string | undefined);
  if (config.redisUrl) registerSecret(redisPassword(config.redisUrl));
  const rows = OPTIONS.map((o) => {
    const key = o.key as keyof typeof config;
    const label = o.flag ? `--${o.flag}` : (o.env ?? o.key);
    const value = config[key];
    // A value nobody set has no source worth naming: "from default" would suggest there is one.
    const from =
      isUnset(value) && sources[o.key] === "default"
        ? ""
        : sources[o.key] === "default"
          ? "default"
          : (notes[o.key] ?? sources[o.key] ?? "default");
    return [label, show(o, value), from] as const;
  });
  const width = Math.max(...rows.map((r) => r[0].length));
  const valueWidth = Math.min(48, Math.max(...rows.map((r) => r[1].length)));
  io.out(`${PACKAGE.name} ${PACKAGE.version}: effective configuration (flags > environment > config files > defaults)`);
  const row = (label: string, value: string, from: string) =>
    io.out(redact(`  ${label.padEnd(width)}  ${from ? `${value.padEnd(valueWidth)}  from ${from}` : value}`.trimEnd()));
  for (const [label, value, from] of rows) row(label, value, from);
  // Serving reports a broken file only when it needs a value from it; here the user asked to see everything.
  for (const problem of io.fileProblems ?? []) io.out(redact(`! ${problem}`));

  if (config.sandbox) {
    io.out("✓ sandbox mode: the built-in sandbox tenant needs no credentials.");
    return 0;
  }
  const missing = [
    !config.baseUrl && "SAIL_BASE_URL",
    !config.clientId && "SAIL_CLIENT_ID",
    !config.clientSecret && "SAIL_CLIENT_SECRET",
  ].filter(Boolean);
  if (missing.length > 0) {
    io.out(
      `✗ credentials not checked: missing ${missing.join(", ")}. Set them in the environment or ./config.json (BaseURL, ClientId, ClientSecret), or use --sandbox.`,
    );
    return 1;
  }
  const timeoutMs = Math.min(config.requestTimeoutMs, CHECK_TIMEOUT_MS);
  const tokens = createTokenProvider({
    baseUrl: config.baseUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    timeoutMs,
    from: resolved.notes,
  });
  // Said before the wait, so a silent endpoint is not mistaken for a hung command.
  io.out(`  contacting ${config.baseUrl}/oauth/token (${hostPort(config.baseUrl)}, up to ${seconds(timeoutMs)})…`);
  try {
    await tokens.getToken();
    io.out(`✓ credentials work: ${config.baseUrl}/oauth/token issued a token to client ${config.clientId}.`);
    return 0;
  } catch (err) {
    // Only the token endpoint refusing (400/401) is about the credentials; the message names any other cause itself.
    const status = err instanceof IscError ? err.status : undefined;
    const lead = status === 400 || status === 401 ? "credentials failed" : "token check failed";
    io.out(redact(`✗ ${lead}: ${err instanceof Error ? err.message : String(err)}`));
    return 1;
  }
}

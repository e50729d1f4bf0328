// Logging to stderr only (stdout is the MCP stream), with every known secret masked before it is written.
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const secrets = new Set<string>();
/** Access tokens rotate every few minutes for as long as the server runs: only the newest are kept. */
const tokens: string[] = [];
const TOKENS_KEPT = 8;

/** Registers a value that must never be printed (client secret, confirmation keys, the HTTP token). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

/** Registers an access token; the oldest drops out once TOKENS_KEPT newer ones exist (it expired long before). */
export function registerToken(value: string): void {
  if (value.length < 4 || tokens.includes(value)) return;
  tokens.push(value);
  if (tokens.length > TOKENS_KEPT) tokens.shift();
}

/**
 * Forgets every registered secret and token. Only for a test runner that runs many test files in one process
 * (vitest with `isolate: false`): each file starts as a fresh process would, so one file's secret cannot mask another's words.
 */
export function forgetSecrets(): void {
  secrets.clear();
  tokens.length = 0;
}

/** Replaces every registered secret and recent token in `text` with a mask. */
export function redact(text: string): string {
  let out = text;
  for (const secret of [...secrets, ...tokens]) if (out.includes(secret)) out = out.split(secret).join("***");
  return out;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(
  level: LogLevel = "info",
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const emit = (at: LogLevel, message: string) => {
    if (ORDER[at] < ORDER[level]) return;
    write(`[isc-identities-mcp] ${at}: ${redact(message)}\n`);
  };
  return {
    debug: (m) => emit("debug", m),
    info: (m) => emit("info", m),
    warn: (m) => emit("warn", m),
    error: (m) => emit("error", m),
  };
}

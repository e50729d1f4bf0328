// Checks a --redis-url and masks its password, so it can be shown in `config`, logs and errors.
import { ConfigError } from "../core/errors.js";

/** The URL with any password replaced by ***, e.g. redis://app:***@cache:6379/0. */
export function maskRedisUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = "***";
    else if (url.username && url.protocol.startsWith("redis")) {
      // redis://secret@host means a password without a user name (the form Redis documents for AUTH).
      url.username = "***";
    }
    return url.toString();
  } catch {
    return "(not a URL)";
  }
}

/** The password part of the URL, to register as a secret the logger masks. */
export function redisPassword(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return decodeURIComponent(url.password || url.username) || undefined;
  } catch {
    return undefined;
  }
}

export function normaliseRedisUrl(raw: string, origin: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    // Never echo the value: it may carry a password.
    throw new ConfigError(`${origin} is not a URL; use redis://[user:password@]host:port[/db] or rediss:// for TLS.`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new ConfigError(`${origin} must start with redis:// or rediss:// (TLS), got ${url.protocol}//.`);
  }
  if (!url.hostname) throw new ConfigError(`${origin} names no host: ${maskRedisUrl(raw)}.`);
  const db = url.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d+$/.test(db))
    throw new ConfigError(`${origin} may end in a database number (e.g. /0), got "/${db}": ${maskRedisUrl(raw)}.`);
  return url.toString();
}

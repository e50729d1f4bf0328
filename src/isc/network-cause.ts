// Names why a request got no HTTP answer (refused, DNS, TLS, timeout, reset), with host and port, from fetch's error cause chain.
import { spokenMs } from "../core/deadline.js";

export type NetworkCauseKind = "refused" | "dns" | "tls" | "timeout" | "reset" | "other";

export interface NetworkCause {
  kind: NetworkCauseKind;
  /** One clause naming the cause, host and port, e.g. "connection refused by 127.0.0.1:9 (nothing listens on that port)". */
  text: string;
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL", "EAI_NODATA"]);
const TIMEOUT_CODES = new Set([
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$|HOSTNAME_MISMATCH)/;

/** host:port of a URL, with the scheme's default port spelled out (the port is often the mistake). */
export function hostPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`;
  } catch {
    return url;
  }
}

/** The innermost error code and message in a cause chain (fetch wraps the socket error in a TypeError "fetch failed"). */
function innermost(err: unknown): { code: string | undefined; message: string } {
  let code: string | undefined;
  let message = err instanceof Error ? err.message : String(err);
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const c = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof c.code === "string") code = c.code;
    if (typeof c.message === "string" && c.message) message = c.message;
    current = c.cause;
  }
  return { code, message };
}

/** Undefined when `err` is not a network failure (an HTTP answer, a bug); `timeoutMs` names a ky timeout's bound. */
export function networkCause(err: unknown, url: string, timeoutMs?: number): NetworkCause | undefined {
  const where = hostPort(url);
  if (err instanceof Error && err.name === "TimeoutError") {
    const within = timeoutMs ? ` within ${spokenMs(timeoutMs)}` : "";
    return {
      kind: "timeout",
      text: `no answer from ${where}${within} (timeout: something accepts connections there but does not answer, or a firewall drops them)`,
    };
  }
  const { code, message } = innermost(err);
  if (!code)
    return err instanceof TypeError && /fetch failed/i.test(err.message)
      ? { kind: "other", text: `no HTTP answer from ${where} (${message})` }
      : undefined;
  if (code === "ECONNREFUSED")
    return { kind: "refused", text: `connection refused by ${where} (nothing listens on that port)` };
  if (DNS_CODES.has(code))
    return {
      kind: "dns",
      text: `DNS lookup failed for ${where.replace(/:\d+$/, "")} (${code}: no such host name, or no DNS reachable)`,
    };
  if (TLS_CODE.test(code))
    return {
      kind: "tls",
      text: `TLS handshake with ${where} failed (${code}: ${message}); a proxy that intercepts TLS needs its CA in NODE_EXTRA_CA_CERTS`,
    };
  if (TIMEOUT_CODES.has(code)) return { kind: "timeout", text: `no answer from ${where} (timeout, ${code})` };
  if (RESET_CODES.has(code))
    return { kind: "reset", text: `${where} closed the connection without answering (${code})` };
  return { kind: "other", text: `no HTTP answer from ${where} (${code}: ${message})` };
}

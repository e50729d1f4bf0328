// Who may talk to the HTTP transport: Host and Origin allow lists (DNS rebinding) and the bearer token off loopback.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export interface AccessPolicy {
  /** Lower-case host names (any port), or host:port entries (that port only). */
  hosts: string[];
  /** Exact origins; when empty, any origin whose host name is an allowed host. */
  origins: string[];
  token: string | undefined;
}

export interface AccessOptions {
  host: string;
  allowedHosts?: string[] | undefined;
  allowedOrigins?: string[] | undefined;
  token?: string | undefined;
}

export type AccessRefusal = { status: 401 | 403; message: string; headers?: Record<string, string> };

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];
const WILDCARDS = new Set(["0.0.0.0", "::", "[::]"]);

/** Loopback names are always allowed; a specific bind address is too; anything else must be listed. */
export function accessPolicy(opts: AccessOptions): AccessPolicy {
  const bind = opts.host.includes(":") && !opts.host.startsWith("[") ? `[${opts.host}]` : opts.host;
  const hosts = new Set(LOOPBACK_NAMES);
  if (!WILDCARDS.has(bind)) hosts.add(bind.toLowerCase());
  for (const h of opts.allowedHosts ?? []) hosts.add(h.trim().toLowerCase());
  const origins = (opts.allowedOrigins ?? []).map((o) => {
    try {
      return new URL(o).origin.toLowerCase();
    } catch {
      return o.toLowerCase();
    }
  });
  return { hosts: [...hosts], origins, token: opts.token || undefined };
}

function hostAllowed(policy: AccessPolicy, hostHeader: string): boolean {
  let url: URL;
  try {
    url = new URL(`http://${hostHeader}`);
  } catch {
    return false;
  }
  // Compare host names whatever the port: a rebinding page on any port of a foreign name is refused.
  const name = url.hostname.toLowerCase();
  return policy.hosts.includes(name) || policy.hosts.includes(url.host.toLowerCase());
}

function originAllowed(policy: AccessPolicy, origin: string): boolean {
  if (policy.origins.length > 0) return policy.origins.includes(origin.toLowerCase());
  try {
    const url = new URL(origin);
    return (url.protocol === "http:" || url.protocol === "https:") && hostAllowed(policy, url.host);
  } catch {
    return false; // includes the opaque "null" origin of sandboxed frames and file: pages
  }
}

function tokenMatches(expected: string, header: string | undefined): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) return false;
  // Hash both so the comparison takes the same time whatever the lengths.
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(expected), digest(match[1]));
}

/** Undefined when the request may proceed; otherwise the status and message to refuse it with. */
export function checkAccess(policy: AccessPolicy, req: IncomingMessage): AccessRefusal | undefined {
  const host = req.headers.host;
  if (!host || !hostAllowed(policy, host)) {
    return {
      status: 403,
      message: `Forbidden: Host "${host ?? ""}" is not allowed. Add it with --allowed-hosts if this server is meant to answer to that name.`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !originAllowed(policy, origin)) {
    return { status: 403, message: `Forbidden: Origin "${origin}" is not allowed. Add it with --allowed-origins.` };
  }
  if (policy.token && !tokenMatches(policy.token, req.headers.authorization)) {
    return {
      status: 401,
      message: "Unauthorized: send Authorization: Bearer <ISC_MCP_HTTP_TOKEN>.",
      headers: { "www-authenticate": 'Bearer realm="isc-identities-mcp"' },
    };
  }
  return undefined;
}

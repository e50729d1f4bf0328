// The per-request leg of the HTTP transport: every 2026-07-28 request (and, under --stateless, every 2025 one) answered by a fresh server from the SDK's handler.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createMcpHandler, isLegacyRequest, type Server } from "@modelcontextprotocol/server";
import { toNodeHandler } from "@modelcontextprotocol/node";
import type { Logger } from "../../core/log.js";

export interface PerRequestLeg {
  /** Answers one POST whose body the caller already read (and capped); `req.auth` from the sign-in goes with it. */
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** Ends the 2026 exchanges still in flight (their calls are cancelled). */
  close(): Promise<void>;
}

/**
 * `legacy`: what happens to 2025-era traffic that reaches this leg. "reject" beside the sessionful leg, which takes every
 * request `isLegacy` says is 2025 before this leg sees it; "stateless" under --stateless, where a 2025 request gets a
 * fresh server of its own too (the SDK's stateless fallback, the same idiom as before: no session id, no stream to resume).
 * The factory runs once per request: whatever must outlive a request (guard, audit, calls in progress) is made outside it.
 */
export function createPerRequestLeg(opts: {
  makeServer: () => Server;
  log: Logger;
  legacy: "reject" | "stateless";
}): PerRequestLeg {
  const handler = createMcpHandler(() => opts.makeServer(), {
    legacy: opts.legacy,
    // Refused requests (a wrong envelope, an unsupported version) are answered with their error; the log only notes them.
    onerror: (err) => opts.log.debug(`HTTP request: ${err.message}`),
  });
  const serve = toNodeHandler(handler, { onerror: (err) => opts.log.error(`HTTP request: ${err.message}`) });
  return {
    handle: (req, res, body) => serve(req, res, body),
    close: () => handler.close(),
  };
}

/** The headers the SDK's classification reads besides the body (SEP-2243's mirrors of version, method and name). */
const CLASSIFYING_HEADERS = ["mcp-protocol-version", "mcp-method", "mcp-name"] as const;

/**
 * Whether a request is 2025-era traffic (initialize, a session's requests, its stream and its end) for the sessionful
 * leg, rather than 2026-07-28 traffic (a request carrying the per-request `_meta` envelope, or the errors the 2026
 * leg owes a malformed one). The SDK's own predicate, so the routing never disagrees with its handler; it reads the body
 * already parsed, never the stream again.
 */
export async function isLegacy(req: IncomingMessage, body: unknown): Promise<boolean> {
  // GET and DELETE only exist in the 2025 era (the SDK classifies them by method alone); a Request is not even built
  // for them, as the Fetch API refuses some methods node:http accepts (TRACE).
  if (req.method !== "POST") return true;
  const headers = new Headers();
  for (const name of CLASSIFYING_HEADERS) {
    const value = req.headers[name];
    if (typeof value === "string") headers.set(name, value);
  }
  return isLegacyRequest(new Request("http://localhost/mcp", { method: "POST", headers }), body);
}

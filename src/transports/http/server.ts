// The Streamable HTTP transport: node:http at /mcp (2025 sessions beside 2026 per request, or all per request), /healthz and /readyz (health.ts), access checks and a body cap first.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Server } from "@modelcontextprotocol/server";
import type { Config } from "../../config/resolve.js";
import type { Logger } from "../../core/log.js";
import { pageIdFromPath } from "../../guard/page/handler.js";
import type { ConfirmationPages } from "../../guard/page/pages.js";
import { accessPolicy, checkAccess } from "./access.js";
import { readJsonBody } from "./body.js";
import { JSONRPC, replyError, replyJson } from "./reply.js";
import { replyHealth, type HealthSource } from "./health.js";
import { createSessionRegistry } from "./sessions.js";
import { createEventLog, type EventLimits } from "./event-store.js";
import { createPerRequestLeg, isLegacy } from "./per-request.js";
import { createRequestCap } from "./request-cap.js";
import { createOAuthGate, type GateOptions, type OAuthConfig } from "./oauth-gate.js";
import type { Person } from "./oauth-token.js";
import { metadataPaths, protectedResourceMetadata } from "./oauth-metadata.js";
import { CALLBACK_PATH, type PageSignIn } from "./page-signin.js";

export type HttpSettings = Pick<
  Config,
  | "host"
  | "port"
  | "stateless"
  | "sessionIdleSeconds"
  | "maxSessions"
  | "maxBodyBytes"
  | "maxRequests"
  | "allowedHosts"
  | "allowedOrigins"
  | "httpToken"
> &
  OAuthConfig &
  Partial<Pick<Config, "publicUrl">>;

export interface HttpOptions {
  /** Sign-in tuning that is no user setting (tests shorten the key-set cooldown). */
  oauth?: GateOptions;
  /** The shared store's connection, reported by /healthz and gating /readyz. */
  redis?: HealthSource;
  /** Confirmation pages to serve at …/confirm/<id> (no bearer token or sign-in: the unguessable id does that job). */
  pages?: ConfirmationPages | undefined;
  /** With sign-in: the pages' sign-in, whose callback is served beside them. */
  signIn?: Pick<PageSignIn, "callback"> | undefined;
  /** With --prometheus: answers GET /metrics (the same Host, token and sign-in checks as /mcp come first). */
  metrics?: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  /** Bounds of the replay store of SSE events and the `retry` hint (tests shrink them; defaults in event-store.ts). */
  events?: Partial<EventLimits> & { retryMs?: number };
}

/** When a client whose SSE stream was cut (a proxy's idle timeout) should come back for the rest. */
export const SSE_RETRY_MS = 2000;

export interface HttpServing {
  /** e.g. http://127.0.0.1:3000/mcp */
  url: string;
  port: number;
  /** Open 2025-era sessions (0 in stateless mode; a 2026-07-28 request never opens one). */
  readonly sessions: number;
  /** Requests holding a slot under --max-requests now (read, or answered per request); 0 when idle. */
  readonly inFlight: number;
  close(): Promise<void>;
}

export async function startHttpServer(
  settings: HttpSettings,
  makeServer: () => Server,
  log: Logger,
  options: HttpOptions = {},
): Promise<HttpServing> {
  const gate = createOAuthGate(settings, log, options.oauth);
  const prm = gate
    ? { paths: metadataPaths(gate.settings), body: protectedResourceMetadata(gate.settings) }
    : undefined;
  // The audience is the public URL people reach this server at: its host name is one this server answers to.
  const audienceHost = gate ? [new URL(gate.settings.audience).host] : [];
  const policy = accessPolicy({
    host: settings.host,
    allowedHosts: [...(settings.allowedHosts ?? []), ...audienceHost],
    allowedOrigins: settings.allowedOrigins,
    token: settings.httpToken,
  });
  const pages = options.pages;
  // Two legs behind the same gates. 2025-era traffic goes to sessions (elicitation needs the session's stream; SSE
  // priming, the replay store, the session cap and idle expiry live there); 2026-07-28 traffic has no session in its
  // protocol and is answered per request, in any mode. --stateless sends the 2025 era per request too, so any replica
  // answers any request: no session to resume a stream in, GET refused, so no replay store either.
  const sessions = settings.stateless
    ? undefined
    : createSessionRegistry({
        makeServer,
        log,
        idleMs: settings.sessionIdleSeconds * 1000,
        maxSessions: settings.maxSessions,
        events: createEventLog(options.events),
        retryMs: options.events?.retryMs ?? SSE_RETRY_MS,
      });
  const perRequest = createPerRequestLeg({ makeServer, log, legacy: settings.stateless ? "stateless" : "reject" });
  // Sessions have their cap (--max-sessions); nothing else bounded the requests answered per request, each a fresh MCP
  // server and its ISC calls. A 2025 session's POSTs never count: a call waiting on a human holds its POST open for
  // minutes, and the answer to its form arrives as another POST on the session, which a full cap must never refuse.
  const cap = createRequestCap(settings.maxRequests, log);
  /** A 2025 session's traffic: a header and a map lookup, no parsing, so it is known before the body is read. */
  const namesOpenSession = (req: IncomingMessage) => {
    const id = req.headers["mcp-session-id"];
    return typeof id === "string" && sessions !== undefined && sessions.has(id);
  };
  const pagePath = settings.publicUrl ? new URL(settings.publicUrl).pathname : "/";

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    // Load balancers probe by IP without a token; the answer carries no data and never touches ISC.
    if ((path === "/healthz" || path === "/readyz") && (req.method === "GET" || req.method === "HEAD")) {
      return replyHealth(res, path === "/readyz" ? "ready" : "live", options.redis);
    }
    // Public by design (RFC 9728): hosts read it before they have a token, to learn where to sign in.
    if (prm && prm.paths.includes(path ?? "") && (req.method === "GET" || req.method === "HEAD"))
      return replyJson(res, 200, prm.body);
    // Confirmation pages: a browser cannot send the bearer token; the page's unguessable id does that job, and the page checks its own Host and Origin.
    const pageId =
      pages && (path.startsWith("/confirm/") || (pagePath !== "/" && path.startsWith(`${pagePath}confirm/`)))
        ? pageIdFromPath(path)
        : undefined;
    if (pages && pageId !== undefined) return pages.handle(req, res, pageId);
    // The provider sends the browser back here after a page sign-in; the sign-in checks state, nonce and its own cookie.
    if (
      options.signIn &&
      (path === CALLBACK_PATH || path === `${pagePath}${CALLBACK_PATH.slice(1)}`) &&
      req.method === "GET"
    )
      return options.signIn.callback(req, res);
    const refusal = checkAccess(policy, req);
    if (refusal) {
      // The whole reason: the operator reading the log needs the fix (--allowed-hosts, the token) as much as the client does.
      log.warn(`HTTP ${refusal.status} for ${req.method} ${path}: ${refusal.message}`);
      return replyError(res, refusal.status, refusal.message, {
        ...(refusal.headers ? { headers: refusal.headers } : {}),
      });
    }
    const metrics = options.metrics && path === "/metrics" ? options.metrics : undefined;
    if (path !== "/mcp" && !metrics) return replyError(res, 404, "Not found: MCP is served at /mcp.");
    const signedIn = gate ? await gate.authenticate(req) : undefined;
    if (signedIn && !signedIn.ok) {
      log.warn(`HTTP ${signedIn.refusal.status} for ${req.method} ${path}: ${signedIn.refusal.log}`);
      return replyError(res, signedIn.refusal.status, signedIn.refusal.message, { headers: signedIn.refusal.headers });
    }
    if (metrics)
      return req.method === "GET" || req.method === "HEAD"
        ? metrics(req, res)
        : replyError(res, 405, "Method not allowed: /metrics answers GET.", { headers: { allow: "GET, HEAD" } });
    // Before the body is read or parsed: a POST that is not a live session's takes a slot (a 2025 initialize gives its
    // back once routed to the sessions); a 2026 request naming a live session takes one once it is classified, below.
    const counted = req.method === "POST" && !namesOpenSession(req);
    const slot = counted ? cap.take() : undefined;
    if (counted && !slot) return cap.refuse(res);
    try {
      return await answer(req, res, path, signedIn?.ok ? signedIn.person : undefined, slot);
    } finally {
      slot?.();
    }
  }

  /** The rest of an /mcp request once it holds its slot (`slot`), or needs none yet: body, scopes, then the leg. */
  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    person: Person | undefined,
    slot: (() => void) | undefined,
  ): Promise<void> {
    let body: unknown;
    if (req.method === "POST") {
      const read = await readJsonBody(req, settings.maxBodyBytes);
      if (!read.ok) {
        const close = read.status === 413 ? { connection: "close" } : undefined;
        return replyError(res, read.status, read.message, {
          ...(read.status === 400 ? { code: JSONRPC.parseError } : {}),
          ...(close ? { headers: close } : {}),
        });
      }
      body = read.body;
    }
    const denied = gate && person !== undefined ? gate.authorize(req, person, body) : undefined;
    if (denied) {
      log.warn(`HTTP ${denied.status} for ${req.method} ${path}: ${denied.log}`);
      return replyError(res, denied.status, denied.message, { headers: denied.headers });
    }
    if (!sessions) {
      // Without sessions there is no stream to resume and nothing to end, in either era: only POST means anything.
      if (req.method !== "POST")
        return replyError(res, 405, "Method not allowed: this server is stateless; send JSON-RPC with POST.", {
          headers: { allow: "POST" },
        });
      return perRequest.handle(req, res, body);
    }
    if (await isLegacy(req, body)) {
      slot?.();
      return sessions.handle(req, res, body);
    }
    if (slot) return perRequest.handle(req, res, body);
    // A 2026 request carrying an Mcp-Session-Id is served as any other: its era has no sessions, the header is ignored.
    // It skipped the slot as a session's request; it takes one now, so naming a live session is no way around the cap.
    const late = cap.take();
    if (!late) return cap.refuse(res);
    try {
      return await perRequest.handle(req, res, body);
    } finally {
      late();
    }
  }

  const http = createHttpServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      log.error(`HTTP ${req.method} ${loggablePath(req.url)}: ${err instanceof Error ? err.message : String(err)}`);
      replyError(res, 500, "Internal error.");
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(settings.port, settings.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  const shownHost = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
  return {
    url: `http://${shownHost}:${port}/mcp`,
    port,
    get sessions() {
      return sessions?.size ?? 0;
    },
    get inFlight() {
      return cap.count;
    },
    async close() {
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
      await sessions?.closeAll();
      await perRequest.close();
      http.closeAllConnections();
      await stopped;
    },
  };
}

/** A request's path for the log: no query (the sign-in callback's code and state) and no page id (it answers the page). */
function loggablePath(url: string | undefined): string {
  let path: string;
  try {
    path = new URL(url ?? "/", "http://log.invalid").pathname;
  } catch {
    return "(unreadable path)";
  }
  return path.replace(/(^|\/)confirm\/[^/]+/, "$1confirm/…");
}

// Session mode of the HTTP transport: one MCP server per session, idle expiry, a cap on concurrent sessions, DELETE ends one.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isInitializeRequest, type AuthInfo, type Server } from "@modelcontextprotocol/server";
import { NodeStreamableHTTPServerTransport } from "@modelcontextprotocol/node";
import type { Logger } from "../../core/log.js";
import { telemetry } from "../../core/telemetry.js";
import { callerOf } from "../../mcp/caller.js";
import type { EventLog } from "./event-store.js";
import { JSONRPC, replyError } from "./reply.js";

export interface SessionOptions {
  makeServer: () => Server;
  idleMs: number;
  maxSessions: number;
  log: Logger;
  /** Keeps what each session's SSE streams sent, so a cut stream resumes (GET with Last-Event-ID). */
  events?: EventLog;
  /** The `retry` (ms) of each SSE response's priming event: when a client whose stream was cut comes back. */
  retryMs?: number;
}

interface Session {
  server: Server;
  transport: NodeStreamableHTTPServerTransport;
  /** POSTs being answered; a session waiting on a human (elicitation) is not idle. */
  inFlight: number;
  timer: NodeJS.Timeout | undefined;
  /** With sign-in, the `sub` of the person who opened it: only their requests reach it (every token is from the one --oauth-issuer, so `sub` names one person). */
  owner: string | undefined;
}

const ownerOf = (req: IncomingMessage) => callerOf((req as IncomingMessage & { auth?: AuthInfo }).auth)?.actor.sub;

export interface SessionRegistry {
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** Whether `id` names an open session (whoever owns it): read before the body, to tell session traffic apart. */
  has(id: string): boolean;
  readonly size: number;
  closeAll(): Promise<void>;
}

export function createSessionRegistry(opts: SessionOptions): SessionRegistry {
  const sessions = new Map<string, Session>();
  let opening = 0;

  const arm = (id: string, session: Session) => {
    clearTimeout(session.timer);
    if (session.inFlight > 0) return;
    const closeIdle = () => {
      opts.log.info(`HTTP session ${id.slice(0, 8)}… closed after ${opts.idleMs / 1000} s idle`);
      void session.server.close();
    };
    session.timer = setTimeout(closeIdle, opts.idleMs);
    session.timer.unref();
  };

  async function open(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    if (sessions.size + opening >= opts.maxSessions) {
      telemetry()?.instruments.httpRefused.add(1, { "isc_mcp.cap": "max-sessions" });
      return replyError(
        res,
        503,
        `Too many sessions (${opts.maxSessions}); retry later or end idle sessions with DELETE /mcp.`,
        { headers: { "retry-after": "5" } },
      );
    }
    opening++;
    const events = opts.events?.forSession();
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      // With a store, every SSE response starts with a priming event (an id, empty data, `retry`) for clients on
      // protocol 2025-11-25 or later, and a GET with Last-Event-ID replays what a cut stream missed.
      ...(events ? { eventStore: events, retryInterval: opts.retryMs } : {}),
      onsessioninitialized: (id) => {
        sessions.set(id, session);
        opts.log.debug(`HTTP session ${id.slice(0, 8)}… opened (${sessions.size} open)`);
      },
    });
    const server = opts.makeServer();
    const session: Session = { server, transport, inFlight: 1, timer: undefined, owner: ownerOf(req) };
    // Set before connect: the SDK chains its own close handler after ours.
    session.transport.onclose = () => {
      const id = session.transport.sessionId;
      clearTimeout(session.timer);
      events?.drop();
      if (id && sessions.delete(id)) opts.log.debug(`HTTP session ${id.slice(0, 8)}… ended (${sessions.size} open)`);
    };
    session.transport.onerror = (err) => opts.log.debug(`HTTP session: ${err.message}`);
    try {
      await server.connect(session.transport);
      await session.transport.handleRequest(req, res, body);
    } finally {
      opening--;
      session.inFlight--;
      const id = session.transport.sessionId;
      if (id && sessions.has(id)) arm(id, session);
      else await server.close(); // initialize was refused: nothing may keep this server alive
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const header = req.headers["mcp-session-id"];
    const id = Array.isArray(header) ? header[0] : header;
    if (!id) {
      if (req.method === "POST" && !Array.isArray(body) && isInitializeRequest(body)) return open(req, res, body);
      return replyError(res, 400, "Bad Request: no Mcp-Session-Id header; start a session with an initialize request.");
    }
    const found = sessions.get(id);
    const asker = ownerOf(req);
    // Another person's session id is answered as unknown (404, not 403: a 403 would confirm the id is live and whose it
    // is): a leaked id lets nobody else call, answer a form, read the stream or end the session. The operator is told.
    if (found && found.owner !== asker)
      opts.log.warn(
        `HTTP 404 for ${req.method} /mcp: session ${id.slice(0, 8)}… belongs to sub ${JSON.stringify(found.owner)}; the request of sub ${JSON.stringify(asker)} was answered as if it did not exist`,
      );
    const session = found && found.owner === asker ? found : undefined;
    if (!session)
      return replyError(res, 404, "Session not found (it ended or expired); start a new one with initialize.", {
        code: JSONRPC.sessionNotFound,
      });
    // A GET is the long-lived notification stream: it does not count as activity, or no session would ever expire.
    if (req.method !== "POST") return session.transport.handleRequest(req, res, body);
    session.inFlight++;
    clearTimeout(session.timer);
    try {
      await session.transport.handleRequest(req, res, body);
    } finally {
      session.inFlight--;
      if (sessions.has(id)) arm(id, session);
    }
  }

  return {
    handle,
    has: (id) => sessions.has(id),
    get size() {
      return sessions.size;
    },
    async closeAll() {
      await Promise.all([...sessions.values()].map((s) => s.server.close().catch(() => {})));
      sessions.clear();
    },
  };
}

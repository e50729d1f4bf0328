// Serves /confirm/<id>: GET shows the page, only the answer POST changes anything, and only from the page itself.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../core/log.js";
import { readFormBody } from "./form-body.js";
import { confirmPage, outcomePage, type Outcome } from "./render.js";
import { shownText } from "./escape.js";
import { isExpired, PAGE_ID, type PendingConfirmation, type PendingStore } from "./pending.js";
import { STYLE_HASH } from "./style.js";
import type { Actor } from "../audit.js";

/** A typed name wrong this many times cancels the confirmation. */
export const MAX_WRONG_NAMES = 5;
/** An answer is a word and a name: a few KiB is plenty. */
export const PAGE_BODY_LIMIT = 8 * 1024;

const HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  pragma: "no-cache",
  "referrer-policy": "no-referrer",
  "content-security-policy": `default-src 'none'; style-src '${STYLE_HASH}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

export interface PageHandlerOptions {
  store: PendingStore;
  /** The page's origin as the user's browser sees it, e.g. http://127.0.0.1:41234 or https://mcp.example.com. */
  origin: () => string;
  log: Logger;
  now?: () => number;
  maxBodyBytes?: number;
  /** Told of every answer that changed a confirmation (URL elicitation sends notifications/elicitation/complete). */
  onAnswer?: (record: PendingConfirmation) => void;
  /** Sign-in in front of the page (HTTP with OAuth): who is looking, before the preview is shown or an answer taken. */
  gate?: PageGate;
}

/** The person may see and answer this confirmation; or they must sign in first (a redirect); or they may not. */
export type PageGateResult =
  | { ok: true; actor: Actor }
  | { ok: false; status: 303; location: string; cookie: string }
  | { ok: false; status: 403; why: string };
export type PageGate = (req: IncomingMessage, record: PendingConfirmation) => Promise<PageGateResult>;

/** The page id in a request path ending in /confirm/<id>, or undefined. */
export function pageIdFromPath(path: string): string | undefined {
  const m = /\/confirm\/([^/]*)$/.exec(path);
  return m ? m[1] : undefined;
}

function sameOrigin(expected: string, value: string | undefined): boolean {
  if (!value) return false;
  try {
    return new URL(value).origin === expected;
  } catch {
    return false;
  }
}

export function createPageHandler(opts: PageHandlerOptions): (req: IncomingMessage, res: ServerResponse, id: string) => Promise<void> {
  const now = opts.now ?? Date.now;
  const limit = opts.maxBodyBytes ?? PAGE_BODY_LIMIT;

  const send = (req: IncomingMessage, res: ServerResponse, status: number, html: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...HEADERS, ...extra });
    res.end(req.method === "HEAD" ? undefined : html);
  };
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, why: string, extra: Record<string, string> = {}) => {
    // Never the id: whoever reads the log must not be able to answer the page.
    req.resume();
    opts.log.warn(`confirmation page: refused ${req.method} (${status}): ${why}`);
    send(req, res, status, outcomePage("refused", undefined, why), extra);
  };
  const stateOutcome = (r: PendingConfirmation): Outcome =>
    r.state === "confirmed" ? "already-confirmed" : r.state === "cancelled" ? "already-cancelled" : "expired";

  return async function handle(req, res, id) {
    const origin = opts.origin();
    // DNS rebinding: the page answers only to the name its own URL has.
    if ((req.headers.host ?? "").toLowerCase() !== new URL(origin).host.toLowerCase()) return refuse(req, res, 403, "this page is not served under that host name.");
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "HEAD" && method !== "POST") return refuse(req, res, 405, "only GET and POST are served here.", { allow: "GET, HEAD, POST" });

    if (method === "POST") {
      // Only the page's own form may answer: Origin, or Referer when a browser sent no Origin.
      const from = req.headers.origin ?? req.headers.referer;
      if (!sameOrigin(origin, from)) return refuse(req, res, 403, "an answer is accepted only from this page itself.", { connection: "close" });
    }
    const record = PAGE_ID.test(id) ? await opts.store.get(id) : undefined;
    const t = now();
    // Who is looking, before anything of the preview is shown (and again for the answer): a refusal shows no details.
    const signedIn = async (r: PendingConfirmation): Promise<Actor | false | undefined> => {
      if (!opts.gate) return undefined;
      const seen = await opts.gate(req, r);
      if (seen.ok) return seen.actor;
      if (seen.status === 303) {
        req.resume();
        res.writeHead(303, { location: seen.location, "set-cookie": seen.cookie, "cache-control": "no-store", "referrer-policy": "no-referrer" });
        res.end();
      } else refuse(req, res, 403, seen.why);
      return false;
    };
    if (method !== "POST") {
      if (!record) return send(req, res, 404, outcomePage("unknown"));
      if (isExpired(record, t)) return send(req, res, 410, outcomePage("expired", record.view));
      if (record.state !== "pending") return send(req, res, 200, outcomePage(stateOutcome(record), record.view));
      if ((await signedIn(record)) === false) return;
      return send(req, res, 200, confirmPage(record.view, { expiresAt: record.expiresAt }));
    }

    const body = await readFormBody(req, limit);
    if (!body.ok) return refuse(req, res, body.status, body.message, body.status === 413 ? { connection: "close" } : {});
    if (!record) return send(req, res, 404, outcomePage("unknown"));
    if (isExpired(record, t)) return send(req, res, 410, outcomePage("expired", record.view));
    if (record.state !== "pending") return send(req, res, 409, outcomePage(stateOutcome(record), record.view));
    const by = await signedIn(record);
    if (by === false) return;

    const answer = body.form.get("answer");
    if (answer !== "confirm" && answer !== "cancel") return refuse(req, res, 400, "the answer must be Confirm or Cancel.");
    if (answer === "confirm" && record.view.confirmBy === "name") {
      const typed = (body.form.get("name") ?? "").trim();
      const matches = typed !== "" && record.accept.some((name) => typed === name || typed === shownText(name));
      if (!matches) {
        const wrong = await opts.store.wrongName(id);
        if (wrong < MAX_WRONG_NAMES) {
          const error = `That is not the identity's name (try ${MAX_WRONG_NAMES - wrong} more time${MAX_WRONG_NAMES - wrong === 1 ? "" : "s"}). Nothing was done.`;
          return send(req, res, 422, confirmPage(record.view, { expiresAt: record.expiresAt, error }));
        }
        const cancelled = await opts.store.answer(id, "cancelled", t, by);
        if (cancelled.changed) opts.onAnswer?.(cancelled.record);
        return send(req, res, 422, outcomePage("refused", record.view, `The name was typed wrong ${MAX_WRONG_NAMES} times, so this confirmation was cancelled.`));
      }
    }
    const result = await opts.store.answer(id, answer === "confirm" ? "confirmed" : "cancelled", t, by);
    // Two answers racing: the first one stored wins; this one says what the first one was.
    if (!result.changed) return send(req, res, 409, result.record ? outcomePage(isExpired(result.record, t) ? "expired" : stateOutcome(result.record), result.record.view) : outcomePage("unknown"));
    opts.log.info(`confirmation page: the user ${result.record.state} ${result.record.view.tool}`);
    opts.onAnswer?.(result.record);
    return send(req, res, 200, outcomePage(result.record.state === "confirmed" ? "confirmed" : "cancelled", result.record.view));
  };
}

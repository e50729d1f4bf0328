// Serves /confirm/<id>: GET shows the page, only the answer POST changes anything, and only from the page itself.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../core/log.js";
import type { Actor } from "../actor.js";
import type { PendingAnswer } from "../store.js";
import { readFormBody } from "./form-body.js";
import { confirmPage, outcomePage, type Outcome } from "./render.js";
import { shownText } from "./escape.js";
import { styleHash } from "./style.js";
import type { PageView } from "./view.js";

/** A typed name wrong this many times cancels the confirmation. */
export const MAX_WRONG_NAMES = 5;
/** An answer is a word and a name: a few KiB is plenty. */
export const PAGE_BODY_LIMIT = 8 * 1024;
/** Page ids look like this (24 base64url characters); anything else is not looked up. */
export const PAGE_ID = /^[A-Za-z0-9_-]{24}$/;

/** Made on the first page served: the style hash needs node:crypto, which a start does not load. */
const headers = () => ({
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  pragma: "no-cache",
  "referrer-policy": "no-referrer",
  "content-security-policy": `default-src 'none'; style-src '${styleHash()}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
});

/** Who may answer a confirmation, for a sign-in in front of the page. */
export interface PageAudience {
  /** With sign-in: the person whose call this is; only they may answer, unless `fourEyes`. */
  requestedBy?: Actor | undefined;
  /** Only a different person holding the approver scope may answer. */
  fourEyes?: boolean | undefined;
}

/** The person may see and answer this confirmation; or they must sign in first (a redirect); or they may not. */
export type PageGateResult =
  | { ok: true; actor: Actor }
  | { ok: false; status: 303; location: string; cookie: string }
  | { ok: false; status: 403; why: string };
export type PageGate = (req: IncomingMessage, audience: PageAudience) => Promise<PageGateResult>;

export type PageState =
  | { kind: "open"; view: PageView; accept: string[]; expiresAt: number; audience: PageAudience }
  | { kind: "answered"; confirmed: boolean; view: PageView }
  | { kind: "expired"; view: PageView }
  | { kind: "unknown" };

export interface PageHandlerOptions {
  /** The page's origin as the user's browser sees it ("" while unknown), e.g. http://127.0.0.1:41234. */
  origin: () => string;
  log: Logger;
  lookup(id: string): Promise<PageState>;
  /** Records the answer; false when another answer came first (or the page expired meanwhile). */
  answer(id: string, answer: PendingAnswer): Promise<boolean>;
  /** Counts a wrong typed name on the page (open until `expiresAt`); resolves to how many so far, on any replica. */
  wrongName(id: string, expiresAt: number): Promise<number>;
  maxBodyBytes?: number;
  /** Sign-in in front of the page (HTTP with OAuth): who is looking, before the preview is shown or an answer taken. */
  gate?: PageGate | undefined;
}

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

const CANCELLED: PendingAnswer = {
  confirmed: false,
  reason: "cancelled",
  why: "the user cancelled on the confirmation page.",
};

export function createPageHandler(
  opts: PageHandlerOptions,
): (req: IncomingMessage, res: ServerResponse, id: string) => Promise<void> {
  const limit = opts.maxBodyBytes ?? PAGE_BODY_LIMIT;

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    html: string,
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, { ...headers(), ...extra });
    res.end(req.method === "HEAD" ? undefined : html);
  };
  const refuse = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    why: string,
    extra: Record<string, string> = {},
  ) => {
    req.resume();
    // Never the id: whoever reads the log must not be able to answer the page.
    opts.log.warn(`confirmation page: refused ${req.method} (${status}): ${why}`);
    send(req, res, status, outcomePage("refused", undefined, why), extra);
  };
  /** The page for a confirmation that cannot be answered (any more); undefined when it can. */
  const closed = (state: PageState, posting: boolean): [number, string] | undefined => {
    // Behind sign-in nothing of the action is shown before the gate, so a closed page says only how it ended.
    const view = opts.gate || state.kind === "unknown" ? undefined : state.view;
    switch (state.kind) {
      case "unknown":
        return [404, outcomePage("unknown")];
      case "expired":
        return [410, outcomePage("expired", view)];
      case "answered": {
        const outcome: Outcome = state.confirmed ? "already-confirmed" : "already-cancelled";
        return [posting ? 409 : 200, outcomePage(outcome, view)];
      }
      case "open":
        return undefined;
    }
  };

  return async function handle(req, res, id) {
    const origin = opts.origin();
    if (!origin) return refuse(req, res, 503, "confirmation pages are not served here.");
    // DNS rebinding: the page answers only to the name its own URL has.
    if ((req.headers.host ?? "").toLowerCase() !== new URL(origin).host.toLowerCase())
      return refuse(req, res, 403, "this page is not served under that host name.");
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "HEAD" && method !== "POST")
      return refuse(req, res, 405, "only GET and POST are served here.", { allow: "GET, HEAD, POST" });
    // Only the page's own form may answer: Origin, or Referer when a browser sent no Origin.
    if (method === "POST" && !sameOrigin(origin, req.headers.origin ?? req.headers.referer)) {
      return refuse(req, res, 403, "an answer is accepted only from this page itself.", { connection: "close" });
    }

    const state: PageState = PAGE_ID.test(id) ? await opts.lookup(id) : { kind: "unknown" };
    // Who is looking, before anything of the preview is shown (and again for the answer): a refusal shows no details.
    const signedIn = async (audience: PageAudience): Promise<Actor | false | undefined> => {
      if (!opts.gate) return undefined;
      const seen = await opts.gate(req, audience);
      if (seen.ok) return seen.actor;
      if (seen.status === 303) {
        req.resume();
        res.writeHead(303, {
          location: seen.location,
          "set-cookie": seen.cookie,
          "cache-control": "no-store",
          "referrer-policy": "no-referrer",
        });
        res.end();
      } else refuse(req, res, 403, seen.why);
      return false;
    };
    if (method !== "POST") {
      const shut = closed(state, false);
      if (shut) return send(req, res, ...shut);
      if (state.kind === "open") {
        if ((await signedIn(state.audience)) === false) return;
        return send(req, res, 200, confirmPage(state.view, { expiresAt: state.expiresAt }));
      }
    }
    const body = await readFormBody(req, limit);
    if (!body.ok)
      return refuse(req, res, body.status, body.message, body.status === 413 ? { connection: "close" } : {});
    const shut = closed(state, true);
    if (shut || state.kind !== "open") return send(req, res, ...(shut ?? [404, outcomePage("unknown")]));

    const by = await signedIn(state.audience);
    if (by === false) return;
    const answer = body.form.get("answer");
    if (answer !== "confirm" && answer !== "cancel")
      return refuse(req, res, 400, "the answer must be Confirm or Cancel.");
    let given: PendingAnswer = answer === "confirm" ? { confirmed: true } : CANCELLED;
    if (answer === "confirm" && state.view.confirmBy === "name") {
      const typed = (body.form.get("name") ?? "").trim();
      if (!(typed !== "" && state.accept.some((name) => typed === name || typed === shownText(name)))) {
        const wrong = await opts.wrongName(id, state.expiresAt);
        if (wrong < MAX_WRONG_NAMES) {
          const left = MAX_WRONG_NAMES - wrong;
          const error = `That is not the identity's name (try ${left} more time${left === 1 ? "" : "s"}). Nothing was done.`;
          return send(req, res, 422, confirmPage(state.view, { expiresAt: state.expiresAt, error }));
        }
        given = {
          confirmed: false,
          reason: "name-mismatch",
          why: `the name was typed wrong ${MAX_WRONG_NAMES} times on the confirmation page.`,
        };
      }
    }
    if (by) given = { ...given, by };
    if (!(await opts.answer(id, given))) {
      // Two answers racing: the first one stored wins; this one says what the first one was.
      const now = await opts.lookup(id);
      return send(req, res, ...(closed(now, true) ?? [409, outcomePage("unknown")]));
    }
    opts.log.info(`confirmation page: the user ${given.confirmed ? "confirmed" : "cancelled"} ${state.view.tool}`);
    if (!given.confirmed && given.reason === "name-mismatch") {
      return send(
        req,
        res,
        422,
        outcomePage(
          "refused",
          state.view,
          `The name was typed wrong ${MAX_WRONG_NAMES} times, so this confirmation was cancelled.`,
        ),
      );
    }
    return send(req, res, 200, outcomePage(given.confirmed ? "confirmed" : "cancelled", state.view));
  };
}

// The one wording of an ISC request that a time limit or the caller ended, wherever it was: nothing changed, or a write may have happened.
import { DeadlinePassed, spokenMs } from "../core/deadline.js";
import { IscError } from "../core/errors.js";

/**
 * Where a call's latest attempt was: waiting for a token or for a slot in the request budget (never sent),
 * sent and waiting for the answer's head, waiting to retry after an answer, or reading an answer's body.
 */
export type Phase = "token" | "budget" | "sent" | "retry-wait" | "body";

export interface Interrupted {
  method: string;
  /** Version-free, as the caller named it. */
  path: string;
  /** "GET /v2025/identities": what the model reads. */
  where: string;
  phase: Phase;
  /** ISC's latest answer: the one a retry waits after, or the one whose body was being read. */
  status?: number | undefined;
}

const acted = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;

/**
 * A write may have run at ISC once it was sent, unless ISC's answer says it did not (429 and 401 are refused
 * before anything runs, and only those are retried for a write). A read changes nothing, wherever it stopped.
 */
function mayHaveActed(at: Interrupted): boolean {
  if (at.method === "GET") return false;
  if (at.phase === "sent" || at.phase === "body") return true;
  return at.phase === "retry-wait" && at.status !== 429 && at.status !== 401;
}

/** Why the request was not answered, when it is more than "no answer yet". */
function stage(at: Interrupted): string {
  switch (at.phase) {
    case "token":
      return ": the request was still waiting for an access token, so it was never sent";
    case "budget":
      return ": the request was still waiting for its turn in this server's request budget (--rate-limit), so it was never sent";
    case "retry-wait":
      return `: after ${at.status !== undefined ? `HTTP ${at.status}` : "a failed attempt"} the retry was still waiting`;
    case "body":
      return `: its answer (HTTP ${at.status ?? "?"}) was still arriving`;
    case "sent":
      return "";
  }
}

function unanswered(at: Interrupted, kind: "timeout" | "deadline", within: string): IscError {
  const maybe = mayHaveActed(at);
  const base = {
    kind,
    method: at.method,
    path: at.path,
    mayHaveActed: maybe,
    ...(at.phase === "body" ? { status: at.status } : {}),
  };
  if (at.phase === "body" && maybe && acted(at.status)) {
    // ISC said 2xx: it acted. The status tells the guard so, and the result says done (details unknown), never "failed".
    return new IscError({
      ...base,
      message: `ISC answered ${at.where} with HTTP ${at.status} (so it acted), but the rest of its answer did not arrive ${within}.`,
    });
  }
  const consequence = maybe ? "the write may have happened" : "nothing was changed";
  return new IscError({ ...base, message: `ISC did not answer ${at.where} ${within}${stage(at)}; ${consequence}.` });
}

/** ky's own per-request timeout: it ends a sent request whose answer's head has not come. */
export function requestTimedOut(at: Interrupted, ms: number): IscError {
  return unanswered(at, "timeout", `within ${spokenMs(ms)} (the request timeout, --request-timeout)`);
}

/** The call's deadline, or its client's cancellation (which keeps its own words), told apart by the signal's reason. */
export function callEnded(at: Interrupted, reason: unknown): IscError {
  if ((reason as { name?: unknown } | undefined)?.name === "TimeoutError") {
    const within =
      reason instanceof DeadlinePassed
        ? `within ${spokenMs(reason.ms)} (this call's time limit, --call-timeout)`
        : "within this call's time limit (--call-timeout)";
    return unanswered(at, "deadline", within);
  }
  const base = {
    kind: "cancelled" as const,
    method: at.method,
    path: at.path,
    mayHaveActed: mayHaveActed(at),
    ...(at.phase === "body" ? { status: at.status } : {}),
  };
  if (at.phase === "body" && at.method !== "GET" && acted(at.status)) {
    return new IscError({
      ...base,
      message: `ISC answered ${at.where} with HTTP ${at.status} (so it acted), but the call was cancelled while the rest of its answer arrived.`,
    });
  }
  return new IscError({ ...base, message: `The call was cancelled during ${at.where}.` });
}

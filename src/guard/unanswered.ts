// Why a confirmation question got no answer (the call's deadline, its end, or the client's error): the same words in both protocol eras.
import { DeadlinePassed, spokenMs } from "../core/deadline.js";

/** Why a round has no answer: the call's deadline, its end (cancelled, or its client went away), else the client's error. */
export function unanswered(signal: AbortSignal): string {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  return reason instanceof DeadlinePassed
    ? `nobody answered the confirmation within the call's ${spokenMs(reason.ms)}`
    : signal.aborted
      ? "the call was cancelled (or its client went away) while the confirmation was being asked"
      : "the MCP client answered the confirmation with an error, so it may never have been shown";
}

/** What the model should do after an unanswered question. */
export const UNANSWERED_NEXT = "Ask the user whether to try again.";

// The guard's refusal texts: always saying that nothing was changed, why, and what to do next.
import { Refusal, type RefusalReason } from "../core/errors.js";

export function refusal(
  tool: string,
  notDone: string,
  reason: RefusalReason,
  why: string,
  next: string,
  status?: number,
  trackingId?: string,
): Refusal {
  return new Refusal(
    reason,
    `${tool} refused: nothing was changed. ${notDone}\nWhy: ${why}\nNext step: ${next}`,
    status,
    trackingId,
  );
}

const AGAIN =
  "Call again without confirmationCode to get a fresh preview and code, show it to the user, and use the new code only if they agree.";

/** Why a confirmation code was not accepted, and how to get a good one. */
export const CODE_REFUSALS = {
  "code-mismatch": [
    "the confirmation code was not issued for this tool with these exact arguments on this tenant.",
    AGAIN,
  ],
  "code-used": ["the confirmation code was already used; each code works once.", AGAIN],
  "code-untracked": [
    "the confirmation code was issued before this server (re)started or by another server process (or, with Redis, before Redis last restarted or was out of reach), so whether it was already used cannot be known.",
    AGAIN,
  ],
  "code-expired": ["the confirmation code has expired.", AGAIN],
  "target-changed": ["the identity changed since the preview the user confirmed (or it is gone).", AGAIN],
} as const;

/** "code-untracked" when the store itself cannot keep spent codes: a fresh code would be refused too, so the next step is the operator's. */
export const untrackedBy = (cause: string): readonly [string, string] => [
  `the confirmation code cannot be tracked: ${cause}.`,
  "Tell whoever runs this server; until it is fixed no confirmation code is accepted here, so do not ask for a new one.",
];

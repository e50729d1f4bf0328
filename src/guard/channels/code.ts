// The confirmation code (auto mode only, when no human channel is available): the model gets a code to pass back once the user agreed.
import { CODE_REFUSALS, untrackedBy } from "../refusal.js";
import type { CodeBook } from "../codes.js";
import type { Channel } from "./channel.js";

/**
 * Not a human channel: the model can pass the code back without anyone reading the preview. It still
 * binds tool, tenant, exact arguments and the previewed target, and works once.
 */
export function codeChannel(codes: CodeBook): Channel {
  return {
    name: "code",
    human: false,
    needs: "--confirm auto (the model is given a single-use code; weaker: nothing proves a human read the preview)",
    available: (facts) => facts.mode === "auto",
    async ask({ binding, code }) {
      if (!code) {
        const issued = codes.issue(binding);
        return { kind: "code-issued", code: issued.code, expiresAt: issued.expiresAt };
      }
      // The fresh preview this call read is the re-check: the code is bound to what the user saw.
      const redeemed = await codes.redeem(code, binding);
      if (redeemed.ok) return { kind: "confirmed", waited: false };
      const reason = redeemed.reason === "target-changed" ? "target-changed" : (`code-${redeemed.reason}` as const);
      const [why, next] = redeemed.cause ? untrackedBy(redeemed.cause) : CODE_REFUSALS[reason];
      return { kind: "refused", reason, why, next };
    },
  };
}

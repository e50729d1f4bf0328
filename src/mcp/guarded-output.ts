// The result shape every confirming write shares, and its texts: executed, confirmation required (a code), or pending (a human decides).
import * as z from "zod";
import type { GuardOutcome, GuardPlan, Preview } from "../guard/index.js";
import { renderPreview } from "../guard/index.js";

/** `action`, plus `identity` (summary) or `count`: left loose so tools/list, paid for in every conversation, stays short. */
export const previewSchema = z.looseObject({ action: z.string() });

/** The output schema of a confirming write: its own fields (optional: absent until executed) plus the confirmation fields. */
export function guardedOutput<S extends z.ZodRawShape>(executed: S) {
  return z.object({
    status: z.enum(["executed", "confirmation_required", "confirmation_pending"]),
    ...executed,
    preview: previewSchema.optional(),
    confirmationCode: z.string().optional(),
    codeExpiresAt: z.string().optional(),
  });
}

interface Output {
  structured: Record<string, unknown>;
  text: string;
}

export function previewStructured(p: Preview): z.input<typeof previewSchema> {
  return {
    action: p.action,
    ...(p.identity ? { identity: p.identity } : {}),
    ...(p.count !== undefined ? { count: p.count } : {}),
  };
}

type Waiting = Extract<GuardOutcome<unknown>, { status: "confirmation_required" | "confirmation_pending" }>;

/** The normal (non-error) result that asks the model to get the user's consent (code) or to wait for the user's answer (pending). */
export function waitingOutput(tool: string, ttlSeconds: number, w: Waiting): Output {
  const expires = new Date(w.expiresAt).toISOString();
  if (w.status === "confirmation_pending") {
    return {
      structured: { status: "confirmation_pending", preview: previewStructured(w.preview) },
      text: [
        `A confirmation is waiting for the user ${w.where}: nothing has been changed yet.`,
        renderPreview(w.preview),
        `Tell the user. Once they say they answered, call ${tool} again with the same arguments; it acts only if they confirmed, until ${expires}.`,
      ].join("\n"),
    };
  }
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  return {
    structured: {
      status: "confirmation_required",
      preview: previewStructured(w.preview),
      confirmationCode: w.code,
      codeExpiresAt: expires,
    },
    text: [
      "Confirmation required: nothing has been changed yet.",
      renderPreview(w.preview),
      `Show this preview to the user. Only if they agree, call ${tool} again with the same arguments plus confirmationCode "${w.code}". The code works once, only for these exact arguments, until ${expires} (about ${minutes} min).`,
    ].join("\n"),
  };
}

/**
 * ISC acted but what came back (or our rendering of it) was not what we expected: never a failure,
 * which would invite a retry that acts twice. Says what was done and how to check.
 */
export function doneUncheckedOutput(tool: string, plan: GuardPlan, problem: string): Output {
  return {
    structured: { status: "executed" },
    text: [
      `${tool} was done: ISC accepted the request. ${plan.action}`,
      `Its answer could not be read (${problem}), so the details are missing. Do not call ${tool} again for this: it would act twice.`,
      `Next step: check the result with ${plan.verify}.`,
    ].join("\n"),
  };
}

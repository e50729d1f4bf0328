// The result shape every guarded tool shares: "executed", or "confirmation_required" with a preview and a code.
import * as z from "zod";
import type { ToolOutput } from "./define-tool.js";
import type { ToolContext } from "./tool-context.js";
import type { Preview } from "../guard/preview.js";
import { renderPreview } from "../guard/preview.js";

/** `action`, plus `identity` (summary) or `count`: left loose so tools/list, paid for in every conversation, stays short. */
export const previewSchema = z.looseObject({ action: z.string() });

/** The output schema of a guarded tool: its own fields (optional: absent until executed) plus the confirmation fields. */
export function guardedOutput<S extends z.ZodRawShape>(executed: S) {
  return z.object({
    status: z.enum(["executed", "confirmation_required"]),
    ...executed,
    preview: previewSchema.optional(),
    confirmationCode: z.string().optional(),
    codeExpiresAt: z.string().optional(),
  });
}

export interface ConfirmationRequired {
  status: "confirmation_required";
  preview: Preview;
  code: string;
  expiresAt: string;
}

export type ConfirmationRequiredStructured = {
  status: "confirmation_required";
  preview: z.input<typeof previewSchema>;
  confirmationCode: string;
  codeExpiresAt: string;
};

export function previewStructured(p: Preview): z.input<typeof previewSchema> {
  return { action: p.action, ...(p.identity ? { identity: p.identity } : {}), ...(p.count !== undefined ? { count: p.count } : {}) };
}

/** The normal (non-error) result that asks the model to get the user's consent and call again. */
export function confirmationOutput(ctx: Pick<ToolContext, "toolName" | "config">, c: ConfirmationRequired): ToolOutput<ConfirmationRequiredStructured> {
  const tool = ctx.toolName;
  const minutes = Math.max(1, Math.round(ctx.config.confirmTtlSeconds / 60));
  const text = [
    "Confirmation required: nothing has been changed yet.",
    renderPreview(c.preview),
    `Show this preview to the user. Only if they agree, call ${tool} again with the same arguments plus confirmationCode "${c.code}". The code works once, only for these exact arguments, until ${c.expiresAt} (about ${minutes} min).`,
  ].join("\n");
  return {
    structured: { status: "confirmation_required", preview: previewStructured(c.preview), confirmationCode: c.code, codeExpiresAt: c.expiresAt },
    text,
  };
}

/** The result of a guarded tool that acted. */
export function executedOutput<T extends Record<string, unknown>>(fields: T, text: string): ToolOutput<{ status: "executed" } & T> {
  return { structured: { status: "executed", ...fields }, text };
}

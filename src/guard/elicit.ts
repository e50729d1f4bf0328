// The elicitation form a human answers: type the identity's name (delete, reset) or say yes (the rest).
import type { ElicitResult } from "../mcp/tool-context.js";
import { renderPreview, type Preview } from "./preview.js";

export type ConfirmBy = "name" | "yes";

export interface ConfirmationForm {
  message: string;
  requestedSchema: Record<string, unknown>;
}

export function confirmationForm(by: ConfirmBy, preview: Preview): ConfirmationForm {
  const ask = by === "name"
    ? "To confirm, type the identity's name (or alias) exactly as shown between the quotes. Decline to cancel."
    : "Confirm only if this is what you want. Decline to cancel.";
  const message = `${renderPreview(preview)}\n\n${ask}`;
  const requestedSchema = by === "name"
    ? { type: "object", properties: { name: { type: "string", title: "Identity name", description: "Type the name exactly to confirm." } }, required: ["name"] }
    : { type: "object", properties: { confirm: { type: "boolean", title: "Go ahead?", default: false } }, required: ["confirm"] };
  return { message, requestedSchema };
}

export type Answer = { ok: true } | { ok: false; reason: "declined" | "cancelled" | "name-mismatch"; why: string };

/** Reads the human's answer; anything but an explicit, matching yes is a no. */
export function readAnswer(by: ConfirmBy, preview: Preview, result: ElicitResult): Answer {
  if (result.action === "decline") return { ok: false, reason: "declined", why: "the user declined the confirmation." };
  if (result.action !== "accept") return { ok: false, reason: "cancelled", why: "the user cancelled the confirmation." };
  if (by === "yes") {
    return result.content?.confirm === true ? { ok: true } : { ok: false, reason: "declined", why: "the user did not confirm." };
  }
  const typed = typeof result.content?.name === "string" ? result.content.name.trim() : "";
  const accepted = [preview.identity?.name, preview.identity?.alias].filter((v): v is string => Boolean(v));
  return typed !== "" && accepted.includes(typed)
    ? { ok: true }
    : { ok: false, reason: "name-mismatch", why: "the name the user typed does not match the identity's name or alias." };
}

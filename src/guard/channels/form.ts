// Form elicitation: the MCP client shows the preview and a field (the identity's name, or a yes box) and hands back the human's answer.
import type { ConfirmBy } from "../plan.js";
import { renderPreview, type Preview } from "../preview.js";
import type { Channel, ChannelAnswer, FormResult } from "./channel.js";

export interface ConfirmationForm {
  message: string;
  requestedSchema: Record<string, unknown>;
}

export function confirmationForm(by: ConfirmBy, preview: Preview): ConfirmationForm {
  const ask =
    by === "name"
      ? "To confirm, type the identity's name (or alias) exactly as shown between the quotes. Decline to cancel."
      : "Confirm only if this is what you want. Decline to cancel.";
  const message = `${renderPreview(preview)}\n\n${ask}`;
  const requestedSchema =
    by === "name"
      ? {
          type: "object",
          properties: {
            name: { type: "string", title: "Identity name", description: "Type the name exactly to confirm." },
          },
          required: ["name"],
        }
      : {
          type: "object",
          properties: { confirm: { type: "boolean", title: "Go ahead?", default: false } },
          required: ["confirm"],
        };
  return { message, requestedSchema };
}

const RETRY = "Call again only if the user wants to retry; they must type the name exactly.";
const TELL = "Tell the user it was not done; call again only if they ask for it.";

/**
 * What is wrong with an accepted answer's field, if anything. A client that sends "true" for the box, or no field at
 * all, said neither yes nor no: it is refused as such (not as a "no"), and the answer's value is never echoed.
 */
function wrongType(by: ConfirmBy, content: FormResult["content"]): string | undefined {
  const [field, want, words] = by === "name" ? ["name", "string", "text"] : ["confirm", "boolean", "true or false"];
  const value = content?.[field];
  if (value === undefined) return `\`${field}\` is missing`;
  if (typeof value === want) return undefined;
  const got = Array.isArray(value)
    ? "a list"
    : typeof value === "string"
      ? "text"
      : value === null
        ? "null"
        : `a ${typeof value}`;
  return `\`${field}\` should be ${words}, got ${got}`;
}

/** Reads the human's answer; anything but an explicit, matching yes is a no. */
export function readAnswer(by: ConfirmBy, preview: Preview, result: FormResult): ChannelAnswer {
  if (result.action === "decline")
    return { kind: "refused", reason: "declined", why: "the user declined the confirmation.", next: TELL };
  if (result.action !== "accept")
    return { kind: "refused", reason: "cancelled", why: "the user cancelled the confirmation.", next: TELL };
  const wrong = wrongType(by, result.content);
  if (wrong) {
    return {
      kind: "refused",
      reason: "answer-invalid",
      why: `the client's answer to the confirmation form was of the wrong type (${wrong}): neither a yes nor a no, so nothing was done.`,
      next: "Tell the user it was not done and that their MCP client answered the form in a way this server cannot read; call again only if they ask for it.",
    };
  }
  if (by === "yes") {
    return result.content?.confirm === true
      ? { kind: "confirmed", waited: true }
      : { kind: "refused", reason: "declined", why: "the user did not confirm.", next: TELL };
  }
  const typed = typeof result.content?.name === "string" ? result.content.name.trim() : "";
  const accepted = [preview.identity?.name, preview.identity?.alias].filter((v): v is string => Boolean(v));
  return typed !== "" && accepted.includes(typed)
    ? { kind: "confirmed", waited: true }
    : {
        kind: "refused",
        reason: "name-mismatch",
        why: "the name the user typed does not match the identity's name or alias.",
        next: RETRY,
      };
}

/** The client's bare answer to the form, as far as it is one: anything else reads as no answer (a cancel). */
function asFormResult(response: unknown): FormResult | undefined {
  if (!response || typeof response !== "object") return undefined;
  const { action, content } = response as { action?: unknown; content?: unknown };
  if (action !== "accept" && action !== "decline" && action !== "cancel") return undefined;
  return {
    action,
    content:
      content && typeof content === "object" && !Array.isArray(content)
        ? (content as Record<string, unknown>)
        : undefined,
  };
}

export const formChannel: Channel = {
  name: "form",
  human: true,
  needs: "an MCP client that supports form elicitation",
  available: (facts) => facts.client.form,
  async ask({ by, preview, resumed }) {
    // First round: the form goes out as an input request (both eras: for a 2025 client mcp/legacy-rounds.ts sends an
    // elicitation/create and runs the call again with the answer).
    if (!resumed) return { kind: "input", ask: { mode: "form", ...confirmationForm(by, preview) } };
    // The answer is checked here, against our own schema: the SDK does not check it (nor do our 2025 rounds).
    const result = asFormResult(resumed.response);
    if (!result) {
      return {
        kind: "refused",
        reason: "answer-invalid",
        why: "the client's answer to the confirmation form was not an answer (no accept, decline or cancel): neither a yes nor a no, so nothing was done.",
        next: "Tell the user it was not done and that their MCP client answered the form in a way this server cannot read; call again only if they ask for it.",
      };
    }
    const answer = readAnswer(by, preview, result);
    // Every answer here is the client's reply, which a host may give without showing the form. The preview this round
    // read is newer than the answer: the guard need not read the target again.
    return answer.kind === "confirmed"
      ? { ...answer, waited: false, fromHost: true }
      : answer.kind === "refused"
        ? { ...answer, fromHost: true }
        : answer;
  },
};

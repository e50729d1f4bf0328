// Prompt: a user is locked out; find them, verify who they are, and send a password-reset email with consent.
import { CONFIRM_RULE, definePrompt } from "../src/mcp/define-prompt.js";
import { quoted } from "../src/core/quote.js";
import { VIA } from "../tools/send-identity-verification-account-token.js";

export const lockedOutUser = definePrompt({
  name: "locked_out_user",
  title: "Locked-out user",
  description: "Help a user who cannot log in: find them, check their status, send a password-reset email.",
  arguments: [
    { name: "who", description: "Name, alias or email of the user.", required: true, complete: "identity" },
    {
      name: "via",
      description: "EMAIL_WORK (default), EMAIL_PERSONAL, LINK_WORK or LINK_PERSONAL.",
      required: false,
      complete: VIA,
    },
  ],
  tools: [
    "list_identities",
    "get_identity",
    "send_identity_verification_account_token",
    "start_identities_invite",
    "get_task_status",
  ],
  render: ({ who = "", via = "EMAIL_WORK" }) =>
    [
      `A user is locked out of their account. The helpdesk identified them as ${quoted(who)}.`,
      `1. Find them with list_identities: try filters such as email eq ${quoted(who)}, alias eq ${quoted(who)} or name sw ${quoted(who)}. If several match, list them and ask which one.`,
      "2. Read the identity with get_identity and report its status, lifecycle state and processing state. If it is DISABLED, TERMINATED or LOCKED, say a reset email will not help and stop.",
      `3. Offer to send the password-reset email with send_identity_verification_account_token (via ${quoted(via)}). The link expires after 2 hours.`,
      "4. If the identity is UNREGISTERED (it never registered, so there is no password to reset), offer start_identities_invite for it instead. That starts a task: pass waitSeconds (e.g. 30) to wait for it, or follow the returned taskId with get_task_status, and tell the user whether the invitation went out (SUCCESS) or failed (ERROR, with ISC's messages).",
      CONFIRM_RULE,
    ].join("\n"),
});

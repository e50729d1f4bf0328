// Prompt: check what blocks deleting a leaver's identity, then delete only with a human's confirmation.
import { CONFIRM_RULE, definePrompt } from "../src/mcp/define-prompt.js";
import { quoted } from "../src/core/quote.js";

export const offboardingPrecheck = definePrompt({
  name: "offboarding_precheck",
  title: "Offboarding pre-check",
  description:
    "Before deleting a leaver: find them, list what they own and their roles, then delete only if nothing blocks it.",
  arguments: [
    { name: "who", description: "Name, alias, email or id of the leaver.", required: true, complete: "identity" },
  ],
  tools: [
    "list_identities",
    "get_identity",
    "get_identity_ownership_details",
    "get_role_assignments",
    "delete_identity",
  ],
  render: ({ who = "" }) =>
    [
      `Prepare the offboarding of the identity ${quoted(who)}.`,
      "1. Find the identity with list_identities (or get_identity if you were given an id); confirm with the user it is the right person.",
      "2. Call get_identity_ownership_details. Everything it lists (roles, access profiles, sources, campaigns, governance groups) must be reassigned before deletion: list it as a to-do with owners to ask.",
      "3. Call get_role_assignments and summarise the roles the person still holds.",
      "4. Only if nothing is owned and the user confirms, call delete_identity. Deletion cannot be undone.",
      CONFIRM_RULE,
    ].join("\n"),
});

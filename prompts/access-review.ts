// Prompt: review one identity's access: profile, roles with their sources and dates, and what it owns.
import { definePrompt } from "../src/mcp/define-prompt.js";
import { quoted } from "../src/core/quote.js";

export const accessReview = definePrompt({
  name: "access_review",
  title: "Access review of one identity",
  description: "Summarise who someone is, which roles they hold and why, and what they own, for a reviewer.",
  arguments: [
    { name: "who", description: "Name, alias, email or id of the identity.", required: true, complete: "identity" },
  ],
  tools: [
    "list_identities",
    "get_identity",
    "get_role_assignments",
    "get_role_assignment",
    "get_identity_ownership_details",
  ],
  render: ({ who = "" }) =>
    [
      `Review the access of the identity ${quoted(who)}. This is read-only: change nothing.`,
      "1. Find them with list_identities and read the identity with get_identity (status, lifecycle state, manager).",
      "2. List their roles with get_role_assignments; for roles whose origin is unclear, read get_role_assignment (view full) to see who assigned it, when, and through which source.",
      "3. List what they own with get_identity_ownership_details.",
      "4. Present a table of roles (role, assignment source, added, start/remove dates) and flag anything that looks unusual for their status or lifecycle state (e.g. roles on an inactive identity).",
    ].join("\n"),
});

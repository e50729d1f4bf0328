// send_identity_verification_account_token: email a person a password-reset link (expires after 2 hours); always confirmed.
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { quoted } from "../src/core/quote.js";
import { apiPath } from "../src/isc/paths.js";
import { identityIdArg } from "../src/mcp/tool-args.js";
import { ANY_BODY } from "../src/isc/any-body.js";

/** The channels ISC can send the reset link by (also what the locked_out_user prompt completes). */
export const VIA = ["EMAIL_WORK", "EMAIL_PERSONAL", "LINK_WORK", "LINK_PERSONAL"] as const;

export const sendIdentityVerificationAccountToken = defineTool({
  name: "send_identity_verification_account_token",
  title: "Send password-reset email",
  description:
    "Email an identity a password-reset link (valid 2 hours), e.g. when locked out. Needs the user's confirmation.",
  kind: "write",
  rights: "idn:password:user-invite (ORG_ADMIN or HELPDESK)",
  inputSchema: z.object({
    identityId: identityIdArg,
    via: z.enum(VIA).describe("Channel; EMAIL_WORK is usual."),
    sourceName: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe("Source whose account password is reset, e.g. Active Directory."),
  }),
  result: { linkExpiresAfterHours: z.number().optional() },
  guard: {
    alwaysConfirms: true,
    plan: (args) => ({
      targetIds: [args.identityId],
      action: `Send this person a password-reset link via ${args.via}${onSource(args.sourceName)}. The link expires after 2 hours.`,
      notDone: "No email was sent.",
      confirm: "yes",
      preview: {
        kind: "identity",
        id: args.identityId,
        blockers: async (i) =>
          args.via.endsWith("_WORK") && !i.email ? [`has no work email address, so ${args.via} cannot reach them`] : [],
      },
      page: { title: "Send a password-reset email", button: "Send the email", next: "send the email" },
      gone: "Find the right id with list_identities.",
      blockedNext:
        "Try via EMAIL_PERSONAL or LINK_PERSONAL if the person has a personal address, or fix the work email in ISC.",
      verify: "the user: ask whether the email arrived (ISC keeps no record this server can read)",
    }),
    act: async (args, isc) => {
      const res = await isc("POST", apiPath`identities/${args.identityId}/verification/account/send`, ANY_BODY, {
        json: { via: args.via, ...(args.sourceName ? { sourceName: args.sourceName } : {}) },
      });
      return { value: undefined, httpStatus: res.status };
    },
    render: ({ args, preview }) => {
      const name = preview?.identity ? quoted(preview.identity.name) : args.identityId;
      const text = `Password-reset link sent to ${name} via ${args.via}${onSource(args.sourceName)}. The link expires after 2 hours; if it lapses, send a new one.`;
      return { fields: { linkExpiresAfterHours: 2 }, text };
    },
  },
});

function onSource(sourceName: string | undefined): string {
  return sourceName ? ` for the account on source ${quoted(sourceName)}` : "";
}

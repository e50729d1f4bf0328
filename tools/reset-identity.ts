// reset_identity: de-register an identity (forgotten authentication answers); the person must register again. Always confirmed.
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { quoted } from "../src/core/quote.js";
import { apiPath } from "../src/isc/paths.js";
import { identityIdArg } from "../src/mcp/tool-args.js";
import { ANY_BODY } from "../src/isc/any-body.js";

export const resetIdentity = defineTool({
  name: "reset_identity",
  title: "Reset identity",
  description:
    "Reset an identity that forgot its authentication answers: de-registers it, drops elevated levels. A human confirms by typing its name.",
  kind: "destructive",
  idempotent: true,
  rights: "idn:identity:manage",
  inputSchema: z.object({ identityId: identityIdArg }),
  result: {},
  guard: {
    alwaysConfirms: true,
    plan: (args) => ({
      targetIds: [args.identityId],
      action:
        "Reset this identity: it is de-registered and loses elevated user levels; the person must register again.",
      notDone: "The identity was not reset.",
      confirm: "name",
      preview: { kind: "identity", id: args.identityId },
      gone: "Find the right id with list_identities.",
      page: { title: "Reset identity", button: "Reset identity", next: "reset the identity" },
      verify: `get_identity with identityId ${args.identityId} (its status turns UNREGISTERED)`,
    }),
    // The spec names the parameter identityId but the template says {id}; the URL is /identities/{id}/reset.
    act: async (args, isc) => ({
      value: undefined,
      httpStatus: (await isc("POST", apiPath`identities/${args.identityId}/reset`, ANY_BODY)).status,
    }),
    render: ({ args, preview }) => {
      const name = preview?.identity ? quoted(preview.identity.name) : args.identityId;
      const text =
        `Identity ${name} (id ${args.identityId}) was reset: ISC accepted it and finishes asynchronously, with no task to follow: check get_identity for this identity (identityStatus turns UNREGISTERED; processingState, lastRefresh). ` +
        "The person is de-registered and must register again; send an invitation with start_identities_invite (it expires after 7 days).";
      return { fields: {}, text };
    },
  },
});

// delete_identity: delete an identity for good; refused while it owns objects; a human must type its name to confirm.
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { IscError, ToolFailure } from "../src/core/errors.js";
import { confirmationOutput, executedOutput, guardedOutput, ownedBlocker } from "../src/guard/index.js";
import { quoted } from "../src/core/quote.js";
import { readOwnedObjects } from "../src/views/ownership.js";
import { apiPath } from "../src/isc/paths.js";
import { confirmationCodeArg, identityIdArg } from "../src/mcp/tool-args.js";

const REASSIGN = "Reassign what it owns in ISC (get_identity_ownership_details lists it), then call again. A protected identity cannot be deleted until it is unprotected in ISC.";

export const deleteIdentity = defineTool({
  name: "delete_identity",
  title: "Delete identity",
  description: "Delete an identity for good (offboarding). Owners cannot be deleted: check get_identity_ownership_details first. A human confirms by typing its name.",
  kind: "destructive",
  idempotent: true,
  rights: "idn:identity:manage",
  inputSchema: z.object({ identityId: identityIdArg, confirmationCode: confirmationCodeArg }),
  outputSchema: guardedOutput({}),
  async handler(args, ctx) {
    try {
      const outcome = await ctx.guard.run(ctx, {
        args,
        targetIds: [args.identityId],
        action: "Delete this identity from ISC. This cannot be undone.",
        notDone: "The identity was not deleted.",
        confirm: "name",
        preview: { kind: "identity", identityId: args.identityId, deletion: true },
        blockedNext: REASSIGN,
        act: async () => ({ value: undefined, httpStatus: (await ctx.request("DELETE", apiPath`identities/${args.identityId}`)).status }),
      });
      if (outcome.status === "confirmation_required") return confirmationOutput(ctx, outcome);
      const name = outcome.preview?.identity ? quoted(outcome.preview.identity.name) : args.identityId;
      return executedOutput({}, `Identity ${name} (id ${args.identityId}) was deleted.`);
    } catch (err) {
      // ISC's own refusal (ownership or protection that appeared after the preview) lists the blockers in its body.
      if (!(err instanceof IscError) || err.status !== 400) throw err;
      const blockers = readOwnedObjects(err.body).map((o) => `- the identity ${ownedBlocker(o)}`);
      const lines = [`delete_identity failed: ISC refused the delete, so nothing was changed. The identity was not deleted.`, `ISC said: ${err.message}`, ...blockers];
      if (err.trackingId) lines.push(`ISC trackingId: ${err.trackingId}`);
      lines.push(`Next step: ${REASSIGN}`);
      throw new ToolFailure(lines.join("\n"));
    }
  },
});

// delete_identity: delete an identity for good; refused while it owns objects; a human must type its name to confirm.
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { quoted } from "../src/core/quote.js";
import type { IscRead } from "../src/isc/body.js";
import { ownedBlocker, readOwnedObjects, readOwnershipResponse } from "../src/views/ownership.js";
import { apiPath } from "../src/isc/paths.js";
import { identityIdArg } from "../src/mcp/tool-args.js";
import { ANY_BODY, ANY_LIST } from "../src/isc/any-body.js";

const REASSIGN =
  "Reassign what it owns in ISC (get_identity_ownership_details lists it), then call again. A protected identity cannot be deleted until it is unprotected in ISC.";

/** What ISC would refuse the delete for: owned objects, and protection. */
async function deletionBlockers(read: IscRead, identityId: string): Promise<string[]> {
  const ownership = await read("GET", apiPath`identities/${identityId}/ownership`, ANY_BODY);
  const blockers = readOwnershipResponse(ownership.data, "GET /identities/{identityId}/ownership").map(ownedBlocker);
  const prot = await read("GET", "identities", ANY_LIST, {
    searchParams: { filters: `id eq "${identityId}" and protected eq true`, defaultFilter: "NONE", limit: 1 },
  });
  if (prot.data.length > 0) blockers.unshift("is a protected identity");
  return blockers;
}

export const deleteIdentity = defineTool({
  name: "delete_identity",
  title: "Delete identity",
  description:
    "Delete an identity for good (offboarding). Owners cannot be deleted: check get_identity_ownership_details first. A human confirms by typing its name.",
  kind: "destructive",
  idempotent: true,
  rights: "idn:identity:manage",
  inputSchema: z.object({ identityId: identityIdArg }),
  result: {},
  guard: {
    alwaysConfirms: true,
    plan: (args) => ({
      targetIds: [args.identityId],
      action: "Delete this identity from ISC. This cannot be undone.",
      notDone: "The identity was not deleted.",
      confirm: "name",
      preview: {
        kind: "identity",
        id: args.identityId,
        blockers: (_identity, read) => deletionBlockers(read, args.identityId),
      },
      gone: "Find the right id with list_identities.",
      // An identity that owns anything is refused by the blockers above, before anyone is asked.
      page: { title: "Delete identity", button: "Delete identity", next: "delete the identity", ownsNothing: true },
      blockedNext: REASSIGN,
      verify: `get_identity with identityId ${args.identityId} (a 404 means it is gone)`,
    }),
    act: async (args, isc) => ({
      value: undefined,
      httpStatus: (await isc("DELETE", apiPath`identities/${args.identityId}`, ANY_BODY)).status,
    }),
    render: ({ args, preview }) => {
      const name = preview?.identity ? quoted(preview.identity.name) : args.identityId;
      return { fields: {}, text: `Identity ${name} (id ${args.identityId}) was deleted.` };
    },
    // ISC's own refusal (ownership or protection that appeared after the preview) lists the blockers in its body.
    explain: (err) => {
      if (err.status !== 400) return undefined;
      const blockers = readOwnedObjects(err.body).map((o) => `- the identity ${ownedBlocker(o)}`);
      const lines = [
        `delete_identity failed: ISC refused the delete, so nothing was changed. The identity was not deleted.`,
        `ISC said: ${err.message}`,
        ...blockers,
      ];
      if (err.trackingId) lines.push(`ISC trackingId: ${err.trackingId}`);
      lines.push(`Next step: ${REASSIGN}`);
      return lines.join("\n");
    },
  },
});

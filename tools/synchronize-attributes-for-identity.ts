// synchronize_attributes_for_identity: re-sync one identity's attributes from its sources; at most once per 10 s per identity.
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { apiPath } from "../src/isc/paths.js";
import { identityIdArg } from "../src/mcp/tool-args.js";

/** ISC's own limit per identity; refusing locally spares a request that would only earn a 429. */
const SYNC_INTERVAL_MS = 10_000;

/** ISC's IdentitySyncJob (no endpoint reads it back). */
const SYNC_JOB = z
  .looseObject({ id: z.string().optional(), status: z.string().optional() })
  .describe("an identity sync job");

export const synchronizeAttributesForIdentity = defineTool({
  name: "synchronize_attributes_for_identity",
  title: "Sync identity attributes",
  description:
    "Re-sync one identity's attributes from its sources now. Asynchronous; at most once per 10 s per identity.",
  kind: "write",
  idempotent: true,
  rights: "the ORG_ADMIN user level",
  inputSchema: z.object({ identityId: identityIdArg }),
  result: { jobId: z.string().optional(), jobStatus: z.string().optional() },
  guard: {
    // Never needs confirmation, so no confirmation argument or fields.
    confirms: false,
    plan: (args) => ({
      targetIds: [args.identityId],
      action: "Synchronize this identity's attributes",
      notDone: "The attributes were not synchronized.",
      confirm: "none",
      cooldownMs: SYNC_INTERVAL_MS,
      verify: `get_identity with identityId ${args.identityId} in a minute`,
    }),
    act: async (args, isc) => {
      const res = await isc("POST", apiPath`identities/${args.identityId}/synchronize-attributes`, SYNC_JOB);
      return { value: res.data, httpStatus: res.status, taskId: res.data.id };
    },
    render: ({ args, value: job }) => {
      const text =
        `Attribute synchronization started for identity ${args.identityId}: job ${job.id ?? "(no id)"}, status ${job.status ?? "unknown"}. ` +
        "No ISC endpoint reads a sync job back: check get_identity for this identity in a minute (processingState, and lastRefresh changes when the sync is done). ISC allows one sync per identity every 10 s.";
      return {
        fields: { ...(job.id ? { jobId: job.id } : {}), ...(job.status ? { jobStatus: job.status } : {}) },
        text,
      };
    },
  },
});

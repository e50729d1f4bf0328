// start_identity_processing: recalculate attributes, roles, access and lifecycle of up to 250 identities (asynchronous task).
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { identityIdsArg, waitSecondsArg } from "../src/mcp/tool-args.js";
import { followTask } from "../src/mcp/follow-task.js";

/** ISC's TaskResultResponse. */
const TASK_RESULT = z.looseObject({ id: z.string().optional(), type: z.string().optional() }).describe("a task result");

export const startIdentityProcessing = defineTool({
  name: "start_identity_processing",
  title: "Process identities",
  description:
    "Re-process identities (attributes, roles, access, lifecycle) that look stale or show processing errors. Asynchronous; big batches need confirmation.",
  kind: "write",
  idempotent: true,
  rights: "idn:identity:process or idn:identity:manage (ORG_ADMIN or HELPDESK)",
  inputSchema: z.object({
    identityIds: identityIdsArg(250, "Identity ids from list_identities."),
    waitSeconds: waitSecondsArg,
  }),
  result: { taskId: z.string().optional(), taskStatus: z.string().optional(), identityCount: z.number().optional() },
  guard: {
    plan: (args) => ({
      targetIds: args.identityIds,
      action: `Start identity processing for ${args.identityIds.length} identities (recalculates attributes, roles, access and lifecycle states).`,
      notDone: "No processing was started.",
      // A mass action once the identities this tool touched within the window pass the threshold.
      confirm: "none",
      mass: { identities: args.identityIds },
      page: { title: "Start identity processing", button: "Start processing", next: "start the processing" },
      verify: "get_identity on the identities in a few minutes (processingState, roles, access)",
    }),
    act: async (args, isc) => {
      const res = await isc("POST", "identities/process", TASK_RESULT, { json: { identityIds: args.identityIds } });
      return { value: res.data, httpStatus: res.status, taskId: res.data.id };
    },
    render: async ({ args, value }, follow) => {
      const count = args.identityIds.length;
      const followed = await followTask(follow, value.id, args.waitSeconds);
      const text =
        `Identity processing started for ${count} identit${count === 1 ? "y" : "ies"}: task ${value.id ?? "(no id)"}. ${followed.text}\n` +
        "When it is done, the identities show the results (processingState, lastRefresh, roles, access).";
      return {
        fields: {
          identityCount: count,
          ...(value.id ? { taskId: value.id } : {}),
          ...(followed.taskStatus ? { taskStatus: followed.taskStatus } : {}),
        },
        text,
      };
    },
  },
});

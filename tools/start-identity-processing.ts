// start_identity_processing: recalculate attributes, roles, access and lifecycle of up to 250 identities (asynchronous task).
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { confirmationOutput, executedOutput, guardedOutput } from "../src/guard/index.js";
import { confirmationCodeArg, identityIdsArg } from "../src/mcp/tool-args.js";

interface TaskResult {
  id?: string;
  type?: string;
}

export const startIdentityProcessing = defineTool({
  name: "start_identity_processing",
  title: "Process identities",
  description: "Re-process identities (attributes, roles, access, lifecycle) that look stale or show processing errors. Asynchronous; big batches need confirmation.",
  kind: "write",
  idempotent: true,
  rights: "idn:identity:process or idn:identity:manage",
  inputSchema: z.object({
    identityIds: identityIdsArg(250, "Identity ids to process (1-250), from list_identities."),
    confirmationCode: confirmationCodeArg,
  }),
  outputSchema: guardedOutput({ taskId: z.string().optional(), identityCount: z.number().optional() }),
  async handler(args, ctx) {
    const count = args.identityIds.length;
    const outcome = await ctx.guard.run(ctx, {
      args,
      targetIds: args.identityIds,
      action: `Start identity processing for ${count} identities (recalculates attributes, roles, access and lifecycle states).`,
      notDone: "No processing was started.",
      confirm: count > ctx.config.confirmThreshold ? "yes" : "none",
      preview: { kind: "count", count },
      act: async () => {
        const res = await ctx.request<TaskResult>("POST", "identities/process", { json: { identityIds: args.identityIds } });
        return { value: res.data ?? {}, httpStatus: res.status, ...(res.data?.id ? { taskId: res.data.id } : {}) };
      },
    });
    if (outcome.status === "confirmation_required") return confirmationOutput(ctx, outcome);
    const taskId = outcome.value.id;
    const text = `Identity processing started for ${count} identit${count === 1 ? "y" : "ies"}: task ${taskId ?? "(no id)"}. `
      + "It runs asynchronously; the identities show the results (processingState, roles, access) within a few minutes.";
    return executedOutput({ identityCount: count, ...(taskId ? { taskId } : {}) }, text);
  },
});

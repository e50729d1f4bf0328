// get_task_status: whether an ISC task (identity processing, invitations) finished, and how.
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { IscError, ToolFailure } from "../src/core/errors.js";
import { apiPath } from "../src/isc/paths.js";
import { compactTask, taskLine } from "../src/views/task-status.js";
import { idArg, taskRow } from "../src/mcp/tool-args.js";
import { ANY_BODY } from "../src/isc/any-body.js";

export const getTaskStatus = defineTool({
  name: "get_task_status",
  title: "Get task status",
  description: "Whether an ISC task finished, and how: follow up a write tool's taskId.",
  kind: "read",
  rights:
    "idn:task-management:read or idn:task-management:write (ORG_ADMIN, HELPDESK, CERT_ADMIN, REPORT_ADMIN, ROLE_ADMIN, ROLE_SUBADMIN, SOURCE_ADMIN or SOURCE_SUBADMIN)",
  inputSchema: z.object({
    taskId: idArg("From a write tool's result."),
  }),
  outputSchema: z.object({ task: taskRow }),
  async handler(args, ctx) {
    try {
      const res = await ctx.request("GET", apiPath`task-status/${args.taskId}`, ANY_BODY);
      const task = compactTask(res.data, "GET /task-status/{id}");
      return { structured: { task }, text: taskLine(task) };
    } catch (err) {
      if (!(err instanceof IscError) || err.status !== 404) throw err;
      throw new ToolFailure(
        [
          `get_task_status failed: ISC has no task ${args.taskId}. ISC keeps task status for 90 days, so an older task is gone; or the id is not a task id (a sync job id cannot be read back).`,
          "Next step: use the taskId a write tool returned. For older or untracked work, check the identities themselves with get_identity (processingState, lastRefresh).",
        ].join("\n"),
      );
    }
  },
});

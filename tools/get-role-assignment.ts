// get_role_assignment: one role assignment in detail (who assigned it, why, to which accounts).
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { apiPath } from "../src/isc/paths.js";
import { assignmentLine, compactAssignment } from "../src/views/role-assignment.js";
import { compactOrFullArg, idArg, identityIdArg } from "../src/mcp/tool-args.js";

/** ISC's answer: made once, not per call. */
const ASSIGNMENT = z.looseObject({ id: z.string() }).describe("a role assignment");

export const getRoleAssignment = defineTool({
  name: "get_role_assignment",
  title: "Get role assignment",
  description: "Read one role assignment in detail. Get assignmentId from get_role_assignments.",
  kind: "read",
  rights: "idn:identity:read, idn:identity-direct-report:read or idn:identity:manage",
  inputSchema: z.object({
    identityId: identityIdArg,
    assignmentId: idArg("Assignment id from get_role_assignments."),
    view: compactOrFullArg("compact (default) or full (assigner, context, account targets)."),
  }),
  outputSchema: z.object({ assignment: z.looseObject({ id: z.string() }) }),
  async handler(args, ctx) {
    const res = await ctx.request(
      "GET",
      apiPath`identities/${args.identityId}/role-assignments/${args.assignmentId}`,
      ASSIGNMENT,
    );
    const compact = compactAssignment(res.data, "GET role-assignments/{assignmentId}");
    const assignment = args.view === "full" ? res.data : compact;
    return { structured: { assignment }, text: assignmentLine(compact) };
  },
});

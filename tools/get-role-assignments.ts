// get_role_assignments: the roles assigned to an identity, optionally narrowed to one role.
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { apiPath } from "../src/isc/paths.js";
import { assignmentLine, compactAssignment } from "../src/views/role-assignment.js";
import { compactOrFullArg, identityIdArg } from "../src/mcp/tool-args.js";

/** ISC's answer: made once, not per call. */
const ASSIGNMENTS = z.array(z.looseObject({ id: z.string() })).describe("a list of role assignments");

export const getRoleAssignments = defineTool({
  name: "get_role_assignments",
  title: "List role assignments",
  description: "List the roles assigned to an identity (role, assignment id, dates).",
  kind: "read",
  rights: "idn:identity:read, idn:identity-direct-report:read or idn:identity:manage",
  inputSchema: z.object({
    identityId: identityIdArg,
    roleId: z.string().max(128).optional().describe("Only assignments of this role id."),
    roleName: z.string().max(256).optional().describe("Only assignments of this role name."),
    view: compactOrFullArg("compact (default) or full (ISC's objects as is)."),
  }),
  outputSchema: z.object({ identityId: z.string(), assignments: z.array(z.looseObject({ id: z.string() })) }),
  async handler(args, ctx) {
    const res = await ctx.request("GET", apiPath`identities/${args.identityId}/role-assignments`, ASSIGNMENTS, {
      searchParams: { roleId: args.roleId, roleName: args.roleName },
    });
    const compact = res.data.map((a) => compactAssignment(a, "GET role-assignments"));
    const assignments = args.view === "full" ? res.data : compact;
    const text = compact.length
      ? [`${compact.length} role assignment(s):`, ...compact.map(assignmentLine)].join("\n")
      : "No role assignments match.";
    return { structured: { identityId: args.identityId, assignments }, text };
  },
});

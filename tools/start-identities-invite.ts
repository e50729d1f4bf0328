// start_identities_invite: email registration invitations to unregistered identities (by id, or all of them).
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { INVITE_ALL_LIMIT, confirmationOutput, executedOutput, guardedOutput } from "../src/guard/index.js";
import { confirmationCodeArg, identityIdsArg } from "../src/mcp/tool-args.js";

interface TaskStatus {
  id?: string;
  progress?: string | null;
  completionStatus?: string | null;
}

export const startIdentitiesInvite = defineTool({
  name: "start_identities_invite",
  title: "Invite identities to register",
  description: "Email registration invitations (valid 7 days) to unregistered identities, by ids or all (uninvited). Many or all need confirmation.",
  kind: "write",
  rights: "idn:password-user-invite:manage (ORG_ADMIN or HELPDESK)",
  inputSchema: z
    .object({
      ids: identityIdsArg(1000, "Identity ids to invite; only unregistered ones get an email.").optional(),
      uninvited: z.boolean().default(false).describe("true: invite every unregistered identity (up to 1000) instead of ids."),
      confirmationCode: confirmationCodeArg,
    })
    .superRefine((v, issue) => {
      // Kept out of the JSON Schema on purpose: a top-level anyOf makes some hosts reject every tool.
      if (!v.ids && !v.uninvited) issue.addIssue({ code: "custom", path: ["ids"], message: "give ids, or uninvited: true to invite every unregistered identity" });
      if (v.ids && v.uninvited) issue.addIssue({ code: "custom", path: ["uninvited"], message: "give either ids or uninvited: true, not both" });
    }),
  outputSchema: guardedOutput({ taskId: z.string().optional(), taskStatus: z.string().optional(), invitationsExpireAfterDays: z.number().optional() }),
  async handler(args, ctx) {
    const ids = args.ids ?? [];
    const who = args.uninvited ? `every unregistered identity in the tenant (up to ${INVITE_ALL_LIMIT})` : `${ids.length} identities (only unregistered ones get an email)`;
    const outcome = await ctx.guard.run(ctx, {
      args,
      targetIds: ids,
      uninvited: args.uninvited,
      action: `Email registration invitations to ${who}. Invitations expire after 7 days.`,
      notDone: "No invitations were sent.",
      confirm: args.uninvited || ids.length > ctx.config.confirmThreshold ? "yes" : "none",
      preview: args.uninvited ? { kind: "unregistered" } : { kind: "count", count: ids.length },
      act: async () => {
        const json = args.uninvited ? { uninvited: true } : { ids };
        const res = await ctx.request<TaskStatus>("POST", "identities/invite", { json });
        return { value: res.data ?? {}, httpStatus: res.status, ...(res.data?.id ? { taskId: res.data.id } : {}) };
      },
    });
    if (outcome.status === "confirmation_required") return confirmationOutput(ctx, outcome);
    const task = outcome.value;
    const taskStatus = task.completionStatus ?? task.progress ?? undefined;
    const text = `Invitation task ${task.id ?? "(no id)"} started${taskStatus ? ` (${taskStatus})` : ""} for ${who}. `
      + "It runs asynchronously. Each invitation email holds a registration link that expires after 7 days.";
    return executedOutput({ invitationsExpireAfterDays: 7, ...(task.id ? { taskId: task.id } : {}), ...(taskStatus ? { taskStatus } : {}) }, text);
  },
});

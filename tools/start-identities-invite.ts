// start_identities_invite: email registration invitations to unregistered identities (by id, or all of them).
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { IscError } from "../src/core/errors.js";
import type { IscRead } from "../src/isc/body.js";
import { identityIdsArg, waitSecondsArg } from "../src/mcp/tool-args.js";
import { followTask } from "../src/mcp/follow-task.js";
import { compactTask } from "../src/views/task-status.js";
import { ANY_BODY } from "../src/isc/any-body.js";

/** ISC's invite with `uninvited: true` takes at most this many identities. */
export const INVITE_ALL_LIMIT = 1000;

/** The identities `uninvited: true` invites, as an ISC filter. */
const UNREGISTERED = 'cloudStatus eq "UNREGISTERED"';

/** The parts of ISC's TaskStatus this tool reads. */
const TASK_STATUS = z
  .looseObject({ id: z.string().optional(), progress: z.string().nullish(), completionStatus: z.string().nullish() })
  .describe("a task status");

/** How many identities `uninvited: true` would invite: the unregistered ones, up to ISC's limit. */
async function unregisteredCount(read: IscRead): Promise<number> {
  const res = await read("GET", "identities", ANY_BODY, {
    searchParams: { filters: UNREGISTERED, defaultFilter: "NONE", count: true, limit: 1 },
  });
  const total = Number(res.headers.get("x-total-count"));
  if (!Number.isFinite(total))
    throw new IscError({
      kind: "bad_response",
      message: "ISC did not say how many identities are unregistered (no X-Total-Count).",
    });
  return Math.min(total, INVITE_ALL_LIMIT);
}

export const startIdentitiesInvite = defineTool({
  name: "start_identities_invite",
  title: "Invite identities to register",
  description:
    "Email registration invitations (valid 7 days) to unregistered identities, by ids or all (uninvited). Many or all need confirmation.",
  kind: "write",
  rights: "idn:password-user-invite:manage (ORG_ADMIN or HELPDESK)",
  inputSchema: z
    .object({
      ids: identityIdsArg(1000, "Identity ids to invite; only unregistered ones get an email.").optional(),
      uninvited: z
        .boolean()
        .default(false)
        .describe("true: invite every unregistered identity (up to 1000) instead of ids."),
      waitSeconds: waitSecondsArg,
    })
    .superRefine((v, issue) => {
      // Kept out of the JSON Schema on purpose: a top-level anyOf makes some hosts reject every tool.
      if (!v.ids && !v.uninvited)
        issue.addIssue({
          code: "custom",
          path: ["ids"],
          message: "give ids, or uninvited: true to invite every unregistered identity",
        });
      if (v.ids && v.uninvited)
        issue.addIssue({
          code: "custom",
          path: ["uninvited"],
          message: "give either ids or uninvited: true, not both",
        });
    }),
  result: {
    taskId: z.string().optional(),
    taskStatus: z.string().optional(),
    invitationsExpireAfterDays: z.number().optional(),
  },
  guard: {
    plan: (args) => {
      const ids = args.ids ?? [];
      return {
        targetIds: ids,
        action: `Email registration invitations to ${who(args)}. Invitations expire after 7 days.`,
        notDone: "No invitations were sent.",
        // Every unregistered identity: always confirmed. By ids: a mass action once the window's count passes the threshold.
        ...(args.uninvited
          ? {
              confirm: "yes",
              preview: {
                kind: "count",
                count: unregisteredCount,
                fingerprint: "unregistered",
                touched: { filter: UNREGISTERED },
              },
              audit: { uninvited: true },
            }
          : { confirm: "none", mass: { identities: ids } }),
        page: { title: "Send registration invitations", button: "Send invitations", next: "send the invitations" },
        verify:
          'list_identities with filters cloudStatus eq "UNREGISTERED" (invited identities stay unregistered until they register)',
      };
    },
    act: async (args, isc) => {
      const res = await isc("POST", "identities/invite", TASK_STATUS, {
        json: args.uninvited ? { uninvited: true } : { ids: args.ids },
      });
      return { value: res.data, httpStatus: res.status, taskId: res.data.id };
    },
    render: async ({ args, value: task }, follow) => {
      // The answer is a full TaskStatus: waiting starts from it, and without waiting it is the status to report.
      const known = task.id ? compactTask(task, "POST /identities/invite") : undefined;
      const followed = await followTask(follow, task.id, args.waitSeconds, known);
      const text =
        `Invitation task ${task.id ?? "(no id)"} started for ${who(args)}. ${followed.text}\n` +
        "Each invitation email holds a registration link that expires after 7 days.";
      return {
        fields: {
          invitationsExpireAfterDays: 7,
          ...(task.id ? { taskId: task.id } : {}),
          ...(followed.taskStatus ? { taskStatus: followed.taskStatus } : {}),
        },
        text,
      };
    },
  },
});

function who(args: { ids?: string[] | undefined; uninvited: boolean }): string {
  return args.uninvited
    ? `every unregistered identity in the tenant (up to ${INVITE_ALL_LIMIT})`
    : `${(args.ids ?? []).length} identities (only unregistered ones get an email)`;
}

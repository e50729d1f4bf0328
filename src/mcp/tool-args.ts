// Argument schemas shared by several tools, so the same thing is described (and paid for in tokens) the same way.
import * as z from "zod";
import { isValidId } from "../isc/paths.js";
import { IDENTITY_FIELDS } from "../views/identity.js";

/**
 * Any ISC id (identity, assignment, task): the one rule and the one message for a bad one. Checked by a
 * refinement, not a JSON Schema pattern: the pattern would be paid for in tokens a dozen times in every
 * tools/list, and the server refuses a bad id with this message either way, before anything reaches ISC.
 */
const ID = z.string().refine(isValidId, "must be an id: 1-64 letters, digits, - or _");

export function idArg(description: string) {
  return ID.describe(description);
}

export const identityIdArg = idArg("Identity id from list_identities.");

/** How much of ISC's object a read tool returns: its own compact rows (default) or ISC's objects as they are. */
export function compactOrFullArg(description: string) {
  return z.enum(["compact", "full"]).default("compact").describe(description);
}

export const viewArg = z
  .enum(["summary", "full"])
  .default("summary")
  .describe("summary (default): what a helpdesk needs; full: all ISC returns.");

export const fieldsArg = z
  .array(z.enum(IDENTITY_FIELDS))
  .min(1)
  .optional()
  .describe("Only these fields (id always included); overrides view.");

/** Identity rows as returned: a summary, a projection or the full object, always with id and name. */
export const identityRow = z.looseObject({ id: z.string(), name: z.string().optional() });

/** Lists of identity ids: validated one by one, duplicates dropped (ISC would act on them twice). */
export function identityIdsArg(max: number, description: string) {
  return z
    .array(ID)
    .min(1)
    .max(max)
    .transform((ids) => [...new Set(ids)])
    .describe(description);
}

export const confirmationCodeArg = z
  .string()
  .max(200)
  .optional()
  .describe("From confirmation_required, once the user agreed.");

/** A compact ISC TaskStatus (src/views/task-status.ts), as get_task_status and waiting write tools return it. */
/** Left loose past its key fields (name, progress, percentComplete, messages, target, launched, completed): tools/list stays short. */
export const taskRow = z.looseObject({
  id: z.string(),
  finished: z.boolean(),
  completionStatus: z.string().nullable(),
});

/** On the tools that start an ISC task: wait for it instead of returning at once. */
export const waitSecondsArg = z
  .number()
  .int()
  .min(1)
  .optional()
  .describe("Wait up to this many seconds for the task to end.");

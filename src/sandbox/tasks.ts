// The tenant's tasks: started by process and invite, moving QUEUED -> IN_PROGRESS -> SUCCESS or ERROR with the clock.
import { isoDate as iso } from "./dates.js";
import type { SandboxState, TaskRecord } from "./model.js";
import type { Rng } from "./prng.js";
import type { ResolvedOptions } from "./types.js";

const DAY = 86_400_000;
/** ISC returns no data for tasks older than 90 days (the spec says so for get and list). */
export const TASK_RETENTION_MS = 90 * DAY;

export type NewTask = Pick<
  TaskRecord,
  "type" | "definitionType" | "uniqueName" | "description" | "launcher" | "identityIds" | "effect"
> &
  Partial<Pick<TaskRecord, "target" | "sourceId" | "attributes">>;

/** Starts a task now: queued for `queuedMs`, running for `runMs`; `error` makes it end in ERROR with that message. */
export function startTask(
  state: SandboxState,
  rng: Rng,
  options: ResolvedOptions,
  now: number,
  task: NewTask,
  error?: string,
): TaskRecord {
  const { queuedMs, runMs } = options.taskTimings;
  const record: TaskRecord = {
    target: null,
    sourceId: null,
    attributes: {},
    ...task,
    id: rng.uuid(),
    createdMs: now,
    launchMs: now + queuedMs,
    completeMs: now + queuedMs + runMs,
    outcome: error === undefined ? "SUCCESS" : "ERROR",
    errors: error === undefined ? [] : [error],
    applied: { started: false, finished: false },
  };
  state.tasks.set(record.id, record);
  return record;
}

export const isExpired = (task: TaskRecord, now: number): boolean => now - task.createdMs > TASK_RETENTION_MS;

/** Applies what tasks due by `now` do to their identities: processing state while running, then OK/ERROR and last refresh. */
export function advanceTasks(state: SandboxState, now: number): void {
  for (const task of state.tasks.values()) {
    if (task.applied.finished || task.effect === "none") continue;
    if (!task.applied.started && now >= task.launchMs) {
      task.applied.started = true;
      // Being recalculated: ISC shows no processing state until the refresh settles.
      for (const id of task.identityIds) {
        const identity = state.identities.get(id);
        if (identity) identity.processingState = null;
      }
    }
    if (now >= task.completeMs) {
      task.applied.finished = true;
      const at = iso(task.completeMs);
      for (const id of task.identityIds) {
        const identity = state.identities.get(id);
        if (!identity) continue;
        identity.processingState = task.outcome === "SUCCESS" ? "OK" : "ERROR";
        if (task.outcome === "SUCCESS") identity.lastRefresh = at;
        identity.modified = at;
      }
    }
  }
}

/** The spec's TaskStatus for a task as of `now`. */
export function taskStatusBody(task: TaskRecord, now: number): Record<string, unknown> {
  const launched = now >= task.launchMs;
  const done = now >= task.completeMs;
  const span = Math.max(1, task.completeMs - task.launchMs);
  const percent = done
    ? 100
    : launched
      ? Math.min(99, Math.max(1, Math.floor((100 * (now - task.launchMs)) / span)))
      : 0;
  const modified = done ? task.completeMs : launched ? task.launchMs : task.createdMs;
  return {
    id: task.id,
    type: task.type,
    uniqueName: task.uniqueName,
    description: task.description,
    parentName: null,
    launcher: task.launcher,
    ...(task.target ? { target: task.target } : {}),
    created: iso(task.createdMs),
    modified: iso(modified),
    launched: launched ? iso(task.launchMs) : null,
    completed: done ? iso(task.completeMs) : null,
    completionStatus: done ? task.outcome : null,
    messages: done
      ? task.errors.map((message) => ({
          type: "ERROR",
          localizedText: { locale: "en-US", message },
          key: "task.error",
          parameters: [],
        }))
      : [],
    returns: [],
    attributes: task.attributes,
    progress: done ? (task.outcome === "SUCCESS" ? "Completed" : "Failed") : launched ? "In progress" : "Queued",
    percentComplete: percent,
  };
}

/** A little history so the task list is not empty: an aggregation, a failed refresh, and one past the 90-day retention. */
export function seedTaskHistory(state: SandboxState, rng: Rng, now: number): void {
  const sourceId = rng.hex32();
  const aggregation = (createdMs: number): TaskRecord => ({
    id: rng.hex32(),
    type: "QUARTZ",
    definitionType: "CLOUD_ACCOUNT_AGGREGATION",
    uniqueName: "Cloud Account Aggregation",
    description: "Aggregates from the specified application.",
    launcher: "sweep",
    target: { type: "APPLICATION", id: sourceId, name: "Workday [source]" },
    sourceId,
    attributes: { appId: sourceId },
    createdMs,
    launchMs: createdMs + 5_000,
    completeMs: createdMs + 95_000,
    outcome: "SUCCESS",
    errors: [],
    identityIds: [],
    effect: "none",
    applied: { started: true, finished: true },
  });
  for (const task of [aggregation(now - 120 * DAY), aggregation(now - 2 * DAY)]) state.tasks.set(task.id, task);
  const failedAt = now - 5 * DAY;
  const failed: TaskRecord = {
    id: rng.hex32(),
    type: "QUEUED_TASK",
    definitionType: "IDENTITY_REFRESH",
    uniqueName: "Identity Refresh",
    description: "Refreshes identities",
    launcher: "idn:identity:process",
    target: null,
    sourceId: null,
    attributes: { identityCount: 1 },
    createdMs: failedAt,
    launchMs: failedAt + 2_000,
    completeMs: failedAt + 9_000,
    outcome: "ERROR",
    errors: ["The identity profile's attribute mapping for department could not be evaluated."],
    identityIds: [],
    effect: "none",
    applied: { started: true, finished: true },
  };
  state.tasks.set(failed.id, failed);
}

// Waits for an ISC task when a tool was asked to: polls with backoff inside the call's deadline and the shared rate budget, reporting progress.
import { systemClock, type Clock } from "../core/clock.js";
import { startDeadline } from "../core/deadline.js";
import { IscError } from "../core/errors.js";
import { apiPath } from "../isc/paths.js";
import { compactTask, taskLine, taskState, type TaskView } from "../views/task-status.js";

/** What waiting needs from the call: reads through the shared ISC client, progress, its signal and deadline. */
export interface FollowContext {
  /** GET a version-free path through the shared client (so the rate budget applies) with this signal. */
  get(path: string, signal: AbortSignal): Promise<unknown>;
  /** Sends an MCP progress notification when the caller gave a progress token; otherwise does nothing. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** The call's cancellation and deadline. */
  signal: AbortSignal;
  /** When the call's deadline passes (epoch ms). */
  deadlineAt: number;
  /** The pauses between polls run on it (the ISC client's). @default the real clock */
  clock?: Clock;
}

/** First pause before asking again, its growth and its cap: ISC tasks take seconds to minutes. */
const FIRST_DELAY_MS = 1_000;
const GROWTH = 1.5;
const MAX_DELAY_MS = 8_000;
/** Stop this long before the call's deadline, so the result (not a timeout) reaches the model. */
const DEADLINE_MARGIN_MS = 1_000;

export interface WaitOutcome {
  /** The last status read (or the one the write returned), undefined when no poll succeeded. */
  task: TaskView | undefined;
  finished: boolean;
  /** Why waiting ended early, for the text: the wait was cut by waitSeconds, the deadline, or a failed poll. */
  stopped?: string;
}

/**
 * Polls `task-status/{taskId}` until it finishes or `waitSeconds` (capped by the call's deadline) runs out.
 * Every poll goes through the shared ISC client, so it waits in the same rate budget as every other call.
 * Progress notifications carry ISC's percentComplete, only when it grew (MCP requires progress to increase).
 */
export async function waitForTask(
  ctx: FollowContext,
  taskId: string,
  waitSeconds: number,
  known?: TaskView,
): Promise<WaitOutcome> {
  const clock = ctx.clock ?? systemClock;
  const started = clock.now();
  const until = Math.min(started + waitSeconds * 1_000, ctx.deadlineAt - DEADLINE_MARGIN_MS);
  const byDeadline = until < started + waitSeconds * 1_000;
  let task = known;
  let sent = -1;
  const report = async (t: TaskView) => {
    const percent = t.finished ? 100 : Math.max(0, Math.min(99, t.percentComplete ?? 0));
    if (percent <= sent) return;
    sent = percent;
    await ctx.progress(percent, 100, `${taskState(t)}: ${percent}% complete`).catch(() => {});
  };
  if (task) await report(task);
  // Nothing known yet (process returns only an id): the first read goes at once, then the pauses grow.
  let delay = task ? FIRST_DELAY_MS : 0;
  while (!task?.finished) {
    const left = until - clock.now();
    if (left <= 0)
      return { task, finished: false, stopped: byDeadline ? "the call's deadline" : `waitSeconds (${waitSeconds} s)` };
    // A cancelled call ends the pause early; the check below says so.
    await clock.sleep(Math.min(delay, left), ctx.signal).catch(() => {});
    if (ctx.signal.aborted) return { task, finished: false, stopped: "the call was cancelled" };
    delay = delay === 0 ? FIRST_DELAY_MS : Math.min(MAX_DELAY_MS, delay * GROWTH);
    const remaining = until - clock.now();
    if (remaining <= 0) continue;
    // A poll never outlives the wait: a slow answer or a long rate-limit queue ends it, not the call.
    const poll = startDeadline(ctx.signal, remaining);
    try {
      task = compactTask(await ctx.get(apiPath`task-status/${taskId}`, poll.signal), "GET /task-status/{id}");
      await report(task);
    } catch (err) {
      if (poll.signal.aborted) continue;
      const why = err instanceof IscError ? err.message : String(err);
      return { task, finished: false, stopped: `a failed status read (${why})` };
    } finally {
      poll.clear();
    }
  }
  return { task, finished: true };
}

/** The lines a write tool appends after waiting: the final status, or that it still runs and how to follow it. */
export function waitText(taskId: string, outcome: WaitOutcome): string {
  if (outcome.finished && outcome.task) return `It finished. ${taskLine(outcome.task)}`;
  const last = outcome.task ? ` Last status: ${taskLine(outcome.task)}` : "";
  return `Still running: waiting stopped at ${outcome.stopped ?? "the time limit"}.${last}\nFollow it with get_task_status (taskId "${taskId}").`;
}

/**
 * What a write tool that started task `taskId` says and returns: without `waitSeconds`, which id to follow
 * with which tool; with it, the status it reached. `known` is a TaskStatus the write itself returned (invite).
 */
export async function followTask(
  follow: FollowContext,
  taskId: string | undefined,
  waitSeconds: number | undefined,
  known?: TaskView,
): Promise<{ taskStatus?: string; text: string }> {
  if (!taskId)
    return {
      text: "ISC returned no task id, so it cannot be followed: check the identities with get_identity later (processingState, lastRefresh).",
    };
  if (waitSeconds === undefined) {
    return {
      ...(known ? { taskStatus: taskState(known) } : {}),
      text: `It runs asynchronously: follow it with get_task_status (taskId "${taskId}"), or pass waitSeconds next time to wait for it.`,
    };
  }
  const outcome = await waitForTask(follow, taskId, waitSeconds, known);
  return { ...(outcome.task ? { taskStatus: taskState(outcome.task) } : {}), text: waitText(taskId, outcome) };
}

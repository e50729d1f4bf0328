// get_task_status through a real MCP client: tasks followed from QUEUED to SUCCESS and to ERROR, identities changing, 404s and 403s.
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures, type Fixtures } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { manualClock } from "../support/guard-helpers.js";

let h: Harness;
let fx: Fixtures;
const clock = manualClock(Date.now());
afterEach(() => h.close());

type Task = {
  id: string;
  finished: boolean;
  completionStatus: string | null;
  percentComplete?: number;
  launched: string | null;
  completed: string | null;
  messages: string[];
  name?: string;
  target?: string;
};

async function start(version: string): Promise<void> {
  // The sandbox runs on a clock the test moves: each phase is seen without waiting for it.
  h = await startHarness({
    argv: ["--api-version", version],
    sandbox: { identities: 60, now: clock.now, taskTimings: { queuedMs: 1_000, runMs: 4_000 } },
  });
  fx = pickFixtures(h.sandbox.state);
}

async function task(taskId: string): Promise<{ task: Task; text: string }> {
  const res = await h.call("get_task_status", { taskId });
  expect(res.isError, textOf(res)).toBeFalsy();
  return { task: (res.structuredContent as { task: Task }).task, text: textOf(res) };
}

const identity = (id: string) => h.sandbox.state.identities.get(id)!;

for (const version of ["v1", "v2025"]) {
  describe(`get_task_status (${version})`, () => {
    it("follows identity processing from QUEUED through IN_PROGRESS to SUCCESS, and the identity changes with it", async () => {
      await start(version);
      const before = identity(fx.processingError).lastRefresh;
      const res = await h.call("start_identity_processing", { identityIds: [fx.processingError] });
      const { taskId } = res.structuredContent as { taskId: string };

      const queued = await task(taskId);
      expect(queued.task).toMatchObject({
        id: taskId,
        finished: false,
        completionStatus: null,
        percentComplete: 0,
        launched: null,
        completed: null,
        name: "Identity Refresh",
      });
      expect(queued.text).toMatch(new RegExp(`^Task ${taskId} \\("Identity Refresh"\\): QUEUED; 0% complete`));

      clock.advance(3_000);
      const running = await task(taskId);
      expect(running.task.finished).toBe(false);
      expect(running.task.percentComplete).toBe(50);
      expect(running.task.launched).not.toBeNull();
      expect(running.text).toMatch(/: IN_PROGRESS; 50% complete/);
      // Being recalculated: no processing state until the refresh settles.
      const mid = (
        await h.call("get_identity", { identityId: fx.processingError, fields: ["processingState", "lastRefresh"] })
      ).structuredContent as { identity: Record<string, unknown> };
      expect(mid.identity).toMatchObject({ processingState: null, lastRefresh: before });

      clock.advance(3_000);
      const done = await task(taskId);
      expect(done.task).toMatchObject({
        finished: true,
        completionStatus: "SUCCESS",
        percentComplete: 100,
        messages: [],
      });
      expect(done.text).toMatch(/: SUCCESS; 100% complete/);
      const after = (
        await h.call("get_identity", { identityId: fx.processingError, fields: ["processingState", "lastRefresh"] })
      ).structuredContent as { identity: Record<string, unknown> };
      expect(after.identity).toEqual({
        id: fx.processingError,
        processingState: "OK",
        lastRefresh: done.task.completed,
      });
    });

    it("a task that fails ends in ERROR with ISC's messages, and the identity shows the processing error", async () => {
      await start(version);
      h.sandbox.inject({
        method: "POST",
        path: /\/process$/,
        taskError: 'Attribute "department" could not be calculated.',
      });
      const res = await h.call("start_identity_processing", { identityIds: [fx.plain] });
      const { taskId } = res.structuredContent as { taskId: string };
      clock.advance(6_000);
      const failed = await task(taskId);
      expect(failed.task).toMatchObject({
        finished: true,
        completionStatus: "ERROR",
        messages: ['ERROR: Attribute "department" could not be calculated.'],
      });
      expect(failed.text).toMatch(/: ERROR; 100% complete/);
      expect(failed.text).toContain('- "ERROR: Attribute \\"department\\" could not be calculated."');
      expect(identity(fx.plain).processingState).toBe("ERROR");
    });

    it("follows an invitation task by the id start_identities_invite returned", async () => {
      await start(version);
      const res = await h.call("start_identities_invite", { ids: [fx.unregistered] });
      const { taskId } = res.structuredContent as { taskId: string };
      expect((await task(taskId)).task.finished).toBe(false);
      clock.advance(10_000);
      expect((await task(taskId)).task).toMatchObject({
        finished: true,
        completionStatus: "SUCCESS",
        name: "Cloud Send Invitations",
      });
    });

    it("a 404 for an unknown or expired task id says ISC keeps tasks 90 days and what to do instead", async () => {
      await start(version);
      const expired = [...h.sandbox.state.tasks.values()].find((t) => clock.now() - t.createdMs > 90 * 86_400_000)!;
      for (const taskId of ["2c9180835d2e5168015d32f890ca1581", expired.id]) {
        const res = await h.call("get_task_status", { taskId });
        expect(res.isError).toBe(true);
        expect(textOf(res)).toMatch(
          new RegExp(`^get_task_status failed: ISC has no task ${taskId}\\. ISC keeps task status for 90 days`),
        );
        expect(textOf(res)).toMatch(
          /Next step: use the taskId a write tool returned\. .*get_identity \(processingState, lastRefresh\)/,
        );
      }
    });

    it("a 403 names the right the API client lacks", async () => {
      await start(version);
      h.sandbox.inject({ method: "GET", path: /task-status/, status: 403 });
      const res = await h.call("get_task_status", { taskId: [...h.sandbox.state.tasks.keys()][0]! });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(
        /Next step: The personal access token lacks the rights for get_task_status: it needs idn:task-management:read or idn:task-management:write \(ORG_ADMIN, HELPDESK,/,
      );
    });
  });
}

describe("get_task_status arguments", () => {
  it("refuses an id that could reach another path, before any request", async () => {
    await start("v1");
    const res = await h.call("get_task_status", { taskId: "../identities" });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/^Invalid arguments for tool "get_task_status"/);
    expect(h.sandbox.requests.filter((r) => r.path.includes("task-status"))).toHaveLength(0);
  });
});

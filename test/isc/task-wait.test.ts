// waitSeconds on the asynchronous write tools, through a real MCP client: progress in order, final status, deadline cuts, the rate budget.
import { afterEach, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { pickFixtures, type Fixtures } from "../../src/sandbox/index.js";
import { textOf, type HarnessOptions, type ProgressNote as Progress } from "../support/harness.js";
import { ERAS, type EraHarness } from "../support/both-eras.js";
import { apiRequests } from "../support/tool-calls.js";
import { virtualClock, type VirtualClock } from "../support/virtual-clock.js";

let h: EraHarness;
let fx: Fixtures;
// Tasks move on the tenant's clock and polls pause on the client's: one virtual clock, so no test waits for a task in real time.
let clock: VirtualClock;
afterEach(() => h.close());

type Executed = { status: string; taskId: string; taskStatus?: string };

describe.each(ERAS)("$name", ({ start: startEra }) => {
  async function start(opts: HarnessOptions = {}, timings = { queuedMs: 300, runMs: 3_000 }): Promise<void> {
    clock = virtualClock();
    h = await startEra({
      clock,
      ...opts,
      argv: ["--confirm", "auto", "--api-version", "v1", ...(opts.argv ?? [])],
      sandbox: { identities: 60, taskTimings: timings, ...opts.sandbox },
    });
    fx = pickFixtures(h.sandbox.state);
  }

  /** A call with a progress token: the client collects every notifications/progress it receives, in order. */
  async function callWithProgress(
    name: string,
    args: Record<string, unknown>,
  ): Promise<{ res: CallToolResult; seen: Progress[] }> {
    const seen: Progress[] = [];
    const res = await h.call(name, args, { onprogress: (p) => void seen.push(p), timeout: 60_000 });
    return { res, seen };
  }

  describe("follow-up hints without waiting", () => {
    it("process and invite name the task id and get_task_status; sync and reset say to check get_identity", async () => {
      await start();
      const processed = await h.call("start_identity_processing", { identityIds: [fx.processingError] });
      const { taskId } = processed.structuredContent as Executed;
      expect(textOf(processed)).toContain(`follow it with get_task_status (taskId "${taskId}")`);
      const invited = await h.call("start_identities_invite", { ids: [fx.unregistered] });
      const invite = invited.structuredContent as Executed;
      expect(invite.taskStatus).toBe("QUEUED");
      expect(textOf(invited)).toContain(`follow it with get_task_status (taskId "${invite.taskId}")`);
      const synced = await h.call("synchronize_attributes_for_identity", { identityId: fx.plain });
      expect(textOf(synced)).toMatch(/No ISC endpoint reads a sync job back: check get_identity .*lastRefresh/);
      const first = await h.call("reset_identity", { identityId: fx.owner });
      const code = (first.structuredContent as { confirmationCode: string }).confirmationCode;
      const reset = await h.call("reset_identity", { identityId: fx.owner, confirmationCode: code });
      expect(textOf(reset)).toMatch(/no task to follow: check get_identity/);
    });
  });

  describe("waitSeconds", () => {
    it("waits for processing to finish, with progress notifications in order, and returns the final status", async () => {
      await start();
      const { res, seen } = await callWithProgress("start_identity_processing", {
        identityIds: [fx.processingError],
        waitSeconds: 30,
      });
      expect(res.isError, textOf(res)).toBeFalsy();
      // The first read at once, then pauses of 1 s growing by half: the task (3.3 s) was done at the fourth read.
      expect(clock.slept).toEqual([0, 1_000, 1_500, 2_250]);
      expect(res.structuredContent).toMatchObject({ status: "executed", taskStatus: "SUCCESS" });
      expect(textOf(res)).toMatch(/It finished\. Task [0-9a-f-]+ \("Identity Refresh"\): SUCCESS; 100% complete/);
      const values = seen.map((p) => p.progress);
      expect(values.length).toBeGreaterThanOrEqual(3);
      expect(values.at(-1)).toBe(100);
      for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThan(values[i - 1]!);
      expect(seen.every((p) => p.total === 100)).toBe(true);
      expect(seen.some((p) => p.progress > 0 && p.progress < 100 && /IN_PROGRESS/.test(p.message ?? ""))).toBe(true);
      // The identity changed with the task.
      expect(h.sandbox.state.identities.get(fx.processingError)?.processingState).toBe("OK");
    }, 30_000);

    it("a task that fails ends the wait with ERROR and ISC's messages", async () => {
      await start({}, { queuedMs: 200, runMs: 1_500 });
      h.sandbox.inject({ method: "POST", path: /\/process$/, taskError: "The identity profile was deleted." });
      const res = await h.call("start_identity_processing", { identityIds: [fx.plain], waitSeconds: 20 });
      expect(res.structuredContent).toMatchObject({ taskStatus: "ERROR" });
      expect(textOf(res)).toMatch(/It finished\. Task .*: ERROR; 100% complete/);
      expect(textOf(res)).toContain("The identity profile was deleted.");
    }, 30_000);

    it("waits for an invitation task from the TaskStatus invite returned", async () => {
      await start({}, { queuedMs: 200, runMs: 1_500 });
      const { res, seen } = await callWithProgress("start_identities_invite", {
        ids: [fx.unregistered],
        waitSeconds: 20,
      });
      expect(res.structuredContent).toMatchObject({ status: "executed", taskStatus: "SUCCESS" });
      expect(seen[0]?.progress).toBe(0);
      expect(seen.at(-1)?.progress).toBe(100);
    }, 30_000);

    it("cut by the call's deadline, it says the task is still running and how to follow it", async () => {
      await start({ config: { callTimeoutMs: 4_000 } }, { queuedMs: 500, runMs: 60_000 });
      const res = await h.call("start_identity_processing", { identityIds: [fx.plain], waitSeconds: 300 });
      expect(res.isError, textOf(res)).toBeFalsy();
      // The pauses grew as usual, then waiting stopped short of the deadline (4 s), on the clock the polls pause on.
      expect(clock.slept.slice(0, 3)).toEqual([0, 1_000, 1_500]);
      expect(clock.slept.reduce((a, b) => a + b, 0)).toBeLessThan(4_000);
      const { taskId, taskStatus } = res.structuredContent as Executed;
      expect(taskStatus).toBe("IN_PROGRESS");
      expect(textOf(res)).toContain("Still running: waiting stopped at the call's deadline.");
      expect(textOf(res)).toContain(`Follow it with get_task_status (taskId "${taskId}").`);
    }, 30_000);

    it("cut by waitSeconds itself, it says so", async () => {
      await start({}, { queuedMs: 500, runMs: 60_000 });
      const res = await h.call("start_identity_processing", { identityIds: [fx.plain], waitSeconds: 2 });
      expect(textOf(res)).toContain("Still running: waiting stopped at waitSeconds (2 s).");
      expect(clock.slept).toEqual([0, 1_000, 1_000]);
    }, 30_000);

    it("polling stays inside the shared rate budget: no 429, never more than the limit in any window", async () => {
      // Real time here: the budget counts real seconds. The server may send 3 per 2 s (the tenant allows 4, the margin
      // --rate-limit keeps); two other calls share the budget with the polls.
      h = await startEra({
        argv: ["--confirm", "auto", "--api-version", "v1", "--rate-limit", "3", "--rate-window", "2000"],
        sandbox: {
          identities: 60,
          taskTimings: { queuedMs: 200, runMs: 800 },
          rateLimit: { requests: 4, windowMs: 2_000 },
        },
      });
      fx = pickFixtures(h.sandbox.state);
      const [waited] = await Promise.all([
        h.call("start_identity_processing", { identityIds: [fx.plain], waitSeconds: 40 }),
        h.call("get_identity", { identityId: fx.owner }),
        h.call("get_identity", { identityId: fx.manager }),
      ]);
      expect(waited.structuredContent).toMatchObject({ taskStatus: "SUCCESS" });
      const sent = apiRequests(h.sandbox);
      expect(sent.filter((r) => r.status === 429)).toHaveLength(0);
      // 100 ms of slack: the sandbox stamps a request a little after the client sent it.
      for (const r of sent)
        expect(sent.filter((o) => o.at >= r.at && o.at < r.at + 1_900).length).toBeLessThanOrEqual(3);
      expect(sent.filter((r) => r.path.startsWith("/task-status/v1/")).length).toBeGreaterThanOrEqual(1);
    }, 60_000);

    it("waitSeconds is not part of what a confirmation binds: a code from a call without it works with it", async () => {
      await start({}, { queuedMs: 200, runMs: 1_000 });
      const identityIds = [...h.sandbox.state.identities.keys()].slice(0, 12);
      const first = await h.call("start_identity_processing", { identityIds });
      const asked = first.structuredContent as { status: string; confirmationCode: string };
      expect(asked.status).toBe("confirmation_required");
      const res = await h.call("start_identity_processing", {
        identityIds,
        confirmationCode: asked.confirmationCode,
        waitSeconds: 20,
      });
      expect(res.structuredContent).toMatchObject({ status: "executed", identityCount: 12, taskStatus: "SUCCESS" });
      expect(h.sandbox.state.processed).toHaveLength(1);
    }, 30_000);

    it("without waitSeconds the tool returns at once, as before", async () => {
      await start({}, { queuedMs: 500, runMs: 60_000 });
      const res = await h.call("start_identity_processing", { identityIds: [fx.plain] });
      expect(clock.slept).toEqual([]);
      expect(h.sandbox.requests.filter((r) => r.path.startsWith("/task-status"))).toHaveLength(0);
      expect((res.structuredContent as Executed).taskStatus).toBeUndefined();
    });
  });
});

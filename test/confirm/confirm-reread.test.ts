// The target is read again right before acting, on every channel and in both eras: renamed while the human confirmed, nothing is written.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { serveTenant, startStdioCli, type ServedTenant } from "../support/cli-process.js";
import { browserScript, deletable } from "../support/confirm-e2e.js";
import { HOSTS, type Hosted } from "../support/era-matrix.js";
import { manualClock, writeRequests, type AuditLine } from "../support/guard-helpers.js";
import { auditLinesOf } from "../support/cli-eras.js";
import { startHttpHarness, type HttpHarness } from "../support/http-harness.js";
import { MODERN, startModernCli } from "../support/modern-cli.js";
import { answer } from "../support/page-fixtures.js";

type Result = {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
};
const textOf = (r: Result) => r.content.map((c) => c.text ?? "").join("\n");
const CHANGED =
  /^delete_identity refused: nothing was changed[\s\S]*(changed \(or is gone\) while the user was confirming|the identity changed since the preview)/;
const auditOf = (lines: string[]) => lines.map((l) => JSON.parse(l) as AuditLine);

describe("code (--confirm auto, no elicitation): the code binds the previewed target", () => {
  let hosted: Hosted | undefined;
  afterEach(async () => {
    await hosted?.close();
    hosted = undefined;
  });
  for (const host of HOSTS.filter((h) => !h.form)) {
    it(host.name, async () => {
      const h = (hosted = await host.start(["--confirm", "auto"], () => ({ action: "cancel" })));
      const id = deletable(h.sandbox.state, 1)[0]!;
      const first = await h.call("delete_identity", { identityId: id });
      const code = first.structuredContent?.confirmationCode as string;
      expect(typeof code).toBe("string");
      h.sandbox.state.identities.get(id)!.name = "Someone.Else";
      const res = await h.call("delete_identity", { identityId: id, confirmationCode: code });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(CHANGED);
      expect(writeRequests(h.sandbox)).toEqual([]);
      expect(h.audit().at(-1)).toMatchObject({
        era: h.era,
        outcome: "refused",
        reason: "target-changed",
        confirmation: "code",
      });
    });
  }
});

describe("URL page (HTTP; an input request in both eras): renamed while the call waits on the page, then confirmed there", () => {
  let h: HttpHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /**
   * The client accepts opening the page; once the call reports that it waits for the user, the identity is renamed and
   * the user confirms on the page (a raw POST, as the page's form sends it). So only the read after the wait can see the
   * change: in 2026 the round's own first read happened before the page was even shown.
   */
  const confirmsWhileWaiting = (hh: HttpHarness, id: string) => {
    const name = hh.sandbox.state.identities.get(id)!.name;
    const progress: Array<{ progress: number; message?: string }> = [];
    let answered: Promise<unknown> | undefined;
    const onUrl = (url: string) => {
      answered = (async () => {
        await expect
          .poll(() => progress.some((p) => p.message?.startsWith("Waiting for the user")), { timeout: 15_000 })
          .toBe(true);
        hh.sandbox.state.identities.get(id)!.name = "Someone.Else";
        expect((await answer(url, { answer: "confirm", name })).status).toBe(200);
      })();
      return { action: "accept" as const };
    };
    const onprogress = (p: { progress: number; message?: string }) => void progress.push(p);
    /** The wait says so as it starts, the step after the preview's read, not first at its tick seconds later. */
    const waitToldAtOnce = () => {
      const waiting = progress.findIndex((p) => p.message?.startsWith("Waiting for the user"));
      expect(progress[waiting - 1]?.message).toMatch(/^Reading what the user will be asked to confirm/);
      expect(progress[waiting]!.progress).toBe(progress[waiting - 1]!.progress + 1);
    };
    return { onUrl, onprogress, answered: () => answered, waitToldAtOnce };
  };

  it("2025 client (sdk 1.32, HTTP session; the server sends the 2025 elicitation itself, mcp/legacy-rounds.ts)", async () => {
    h = await startHttpHarness(["--confirm", "strict", "--confirm-wait", "30"], {}, {}, { pages: true });
    const id = deletable(h.sandbox.state, 1)[0]!;
    const human = confirmsWhileWaiting(h, id);
    const { client } = await h.connect({
      capabilities: { elicitation: { url: {} } },
      onElicit: (_m, _id, params) => human.onUrl(params.url!),
    });
    const res = (await client.callTool({ name: "delete_identity", arguments: { identityId: id } }, undefined, {
      timeout: 60_000,
      onprogress: human.onprogress,
    })) as Result;
    await human.answered();
    human.waitToldAtOnce();
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(CHANGED);
    expect(writeRequests(h.sandbox)).toEqual([]);
    expect(auditOf(h.audit).at(-1)).toMatchObject({
      era: "2025-11-25",
      outcome: "refused",
      reason: "target-changed",
      confirmation: "url",
    });
  });

  it("2026 client (v2 pinned to 2026-07-28, the per-request leg)", async () => {
    h = await startHttpHarness(["--confirm", "strict", "--confirm-wait", "30"], {}, {}, { pages: true });
    const id = deletable(h.sandbox.state, 1)[0]!;
    const human = confirmsWhileWaiting(h, id);
    const client = await h.connectModern({ capabilities: { elicitation: { url: {} } } });
    client.setRequestHandler("elicitation/create", async (req) => human.onUrl((req.params as { url: string }).url));
    const res = (await client.callTool(
      { name: "delete_identity", arguments: { identityId: id } },
      { timeout: 60_000, onprogress: human.onprogress },
    )) as Result;
    await human.answered();
    human.waitToldAtOnce();
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(CHANGED);
    expect(writeRequests(h.sandbox)).toEqual([]);
    expect(auditOf(h.audit).at(-1)).toMatchObject({
      era: MODERN,
      outcome: "refused",
      reason: "target-changed",
      confirmation: "url",
    });
  });

  it("2026 client: confirmed on the page without a change, it deletes once", async () => {
    h = await startHttpHarness(["--confirm", "strict", "--confirm-wait", "30"], {}, {}, { pages: true });
    const id = deletable(h.sandbox.state, 1)[0]!;
    const name = h.sandbox.state.identities.get(id)!.name;
    let answered: Promise<unknown> | undefined;
    const client = await h.connectModern({ capabilities: { elicitation: { url: {} } } });
    client.setRequestHandler("elicitation/create", async (req) => {
      answered = answer((req.params as { url: string }).url, { answer: "confirm", name });
      return { action: "accept" };
    });
    const res = (await client.callTool(
      { name: "delete_identity", arguments: { identityId: id } },
      { timeout: 60_000 },
    )) as Result;
    await answered;
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(h.sandbox.state.deleted).toEqual([id]);
    expect(writeRequests(h.sandbox)).toHaveLength(1);
    expect(auditOf(h.audit).at(-1)).toMatchObject({ era: MODERN, outcome: "executed", confirmation: "url" });
  });
});

describe("browser page (stdio, the built CLI): renamed before the human confirms on the page", () => {
  let tenant: ServedTenant;
  beforeAll(async () => {
    tenant = await serveTenant({ identities: 20 });
  }, 60_000);
  afterAll(async () => tenant?.served.close());
  const NO_DESKTOP = { DISPLAY: "", WAYLAND_DISPLAY: "" };

  for (const era of ["2025", "2026"] as const) {
    it(`${era} client`, async () => {
      const script = browserScript();
      const env = { ...tenant.env, ...NO_DESKTOP, BROWSER: script.command };
      const args = ["--confirm", "strict", "--confirm-wait", "30"];
      const cli = era === "2025" ? await startStdioCli(args, env) : await startModernCli(args, env);
      try {
        // Its own identity per era: the other test left its one renamed.
        const id = deletable(tenant.sandbox.state, 2)[era === "2025" ? 0 : 1]!;
        const name = tenant.sandbox.state.identities.get(id)!.name;
        tenant.sandbox.clearRequests();
        const pending = cli.client.callTool(
          { name: "delete_identity", arguments: { identityId: id } },
          undefined as never,
          { timeout: 60_000 } as never,
        ) as Promise<Result>;
        const url = await script.nth(1);
        tenant.sandbox.state.identities.get(id)!.name = "Someone.Else";
        expect((await answer(url, { answer: "confirm", name })).status).toBe(200);
        const res = await pending;
        expect(res.isError).toBe(true);
        expect(textOf(res)).toMatch(CHANGED);
        expect(writeRequests(tenant.sandbox)).toEqual([]);
        const audit = () => auditLinesOf(cli.stderr()).filter((l) => l.tool === "delete_identity");
        await expect.poll(() => audit().length).toBe(1);
        expect(audit()[0]).toMatchObject({
          era: era === "2025" ? "2025-11-25" : MODERN,
          outcome: "refused",
          reason: "target-changed",
          confirmation: "browser",
        });
      } finally {
        await cli.client.close();
      }
    }, 60_000);
  }
});

describe("rounds across channels (2026 client over HTTP, form and URL declared)", () => {
  let h: HttpHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  for (const era of ["2025", "2026"] as const) {
    it(`${era} client: a form declined faster than a person reads goes on to the page (the next round), which confirms once; progress only rises`, async () => {
      // The client's instant decline is its host's, not a person's (--confirm-fast-answer 5): the guard times the form's
      // round trip on its own clock, which stands still here, so the decline comes 0 s after the question however
      // slowly a loaded machine runs the client (in real time it could take longer than the 5 s).
      const clock = manualClock(Date.now());
      h = await startHttpHarness(
        ["--confirm", "strict", "--confirm-wait", "30", "--confirm-fast-answer", "5"],
        {},
        {},
        { pages: true, now: clock.now },
      );
      const hh = h;
      const id = deletable(hh.sandbox.state, 1)[0]!;
      const name = hh.sandbox.state.identities.get(id)!.name;
      const modes: string[] = [];
      const progress: number[] = [];
      let answered: Promise<unknown> | undefined;
      const onElicit = (params: { mode?: string; url?: string }) => {
        modes.push(params.mode ?? "form");
        if (params.mode !== "url") return { action: "decline" as const };
        // The user confirms once the waiting round has told the client something.
        answered = (async () => {
          await expect.poll(() => progress.length, { timeout: 20_000 }).toBeGreaterThan(0);
          return answer(params.url!, { answer: "confirm", name });
        })();
        return { action: "accept" as const };
      };
      const capabilities = { elicitation: { form: {}, url: {} } };
      const onprogress = (p: { progress: number }) => void progress.push(p.progress);
      let res: Result;
      if (era === "2025") {
        const { client } = await hh.connect({ capabilities, onElicit: (_m, _id, params) => onElicit(params) });
        res = (await client.callTool({ name: "delete_identity", arguments: { identityId: id } }, undefined, {
          timeout: 60_000,
          onprogress,
        })) as Result;
      } else {
        const client = await hh.connectModern({ capabilities });
        client.setRequestHandler("elicitation/create", async (req) =>
          onElicit(req.params as { mode?: string; url?: string }),
        );
        res = (await client.callTool({ name: "delete_identity", arguments: { identityId: id } }, {
          timeout: 60_000,
          onprogress,
        } as never)) as Result;
      }
      await answered;
      expect(res.isError, textOf(res)).toBeFalsy();
      expect(modes).toEqual(["form", "url"]);
      expect(hh.sandbox.state.deleted).toEqual([id]);
      expect(writeRequests(hh.sandbox)).toHaveLength(1);
      expect(auditOf(hh.audit).filter((l) => l.tool === "delete_identity")).toEqual([
        expect.objectContaining({
          era: era === "2025" ? "2025-11-25" : MODERN,
          outcome: "executed",
          confirmation: "url",
          passedOver: [{ channel: "form", reason: "auto-declined" }],
        }),
      ]);
      // Every round sends progress before it asks (its preview's read), so without the value carried from round to round
      // (the requestState's `progress`, the guard's `base`) the form's, the page's and the waiting round's would repeat.
      // The v2 client (2.4) hands a round's notification to onprogress twice when that round ends in an input request
      // (the server sends it once, under that round's token): a repeat of the value just seen is that, not a step.
      const steps = progress.filter((v, i) => i === 0 || v !== progress[i - 1]);
      expect(steps.length).toBeGreaterThanOrEqual(3);
      for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeGreaterThan(steps[i - 1]!);
    });
  }
});

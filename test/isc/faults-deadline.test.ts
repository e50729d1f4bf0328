// A call's deadline, wherever it meets an ISC request (no answer, a body cut half-way, a retry wait, a token refresh, the
// rate budget): one clear text each, never "internal error", and the writes the sandbox counted match what it claims.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { afterEach, beforeEach, describe, it } from "vitest";
import { pickFixtures, type Sandbox } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness, type HarnessOptions } from "../support/harness.js";
import { lastAudit } from "../support/guard-helpers.js";
import { holdDeadlines, type HeldDeadlines } from "../support/held-deadlines.js";
import { apiRequests } from "../support/tool-calls.js";
import { until } from "../support/until.js";
import { collectGarbage } from "../support/collect-garbage.js";

/**
 * Every stall below never ends by itself (or only long after this), and the call's 3-s deadline is held until the test
 * has seen the call reach its stall: then it passes at once. Where the test cannot see the point reached (the client
 * reading a body that stopped), the deadline gets its full 3 s again from the moment ISC sent what it sends.
 */
const DEADLINE_MS = 3000;
const CALL_TIMEOUT = ["--call-timeout", String(DEADLINE_MS)];
const WITHIN = "within 3 s \\(this call's time limit, --call-timeout\\)";
const FOREVER = 600_000;
/** ISC's API, not its token endpoint (a POST too). */
const API = /^\/v2025\//;
const RETRY = "Next step: Retry the call; if it keeps failing, ISC may be unavailable.";
const NOT_A_BUG = /internal error|This is a bug|DOMException|TimeoutError/;

/**
 * The token is fetched before the test's call (unless the test is about the first token): on a loaded machine twelve
 * harnesses fetching their first tokens at once took more than the 3-s deadline, which then met the token, not the stall.
 */
async function withHarness(
  opts: HarnessOptions,
  run: (h: Harness, sandbox: Sandbox) => Promise<void>,
  warm = true,
): Promise<void> {
  const h = await startHarness(opts);
  try {
    if (warm) await h.backend.isc.tokens.getToken();
    await run(h, h.sandbox);
  } finally {
    await h.close();
  }
}

let deadlines: HeldDeadlines;
beforeEach(() => {
  deadlines = holdDeadlines(DEADLINE_MS);
});
afterEach(() => deadlines.restore());

/** The call is waiting out a wait of `ms` it began (a retry's, the budget's): timers asked for since `from`. */
const waiting = (from: number, ms: (d: number) => boolean) => deadlines.scheduled.slice(from).some(ms);
const tokenRequests = (sandbox: Sandbox) => sandbox.requests.filter((r) => r.path === "/oauth/token").length;

/** Starts `call`, waits until `reached` holds, then lets the deadline pass (or, `rearm`, start again); the result. */
async function stoppedAt<T>(call: () => Promise<T>, reached: () => boolean, what: string, rearm = false): Promise<T> {
  const result = call();
  await until(reached, what);
  if (rearm) deadlines.rearm();
  else deadlines.pass();
  return result;
}

const posts = (sandbox: Sandbox) =>
  apiRequests(sandbox)
    .filter((r) => r.method === "POST")
    .map((r) => r.status);

// One test at a time: the held deadlines are the process's.
describe("the call's deadline, at every point of a request", () => {
  it("no answer at all (the connection and the answer's head), a read: nothing was changed", async ({ expect }) => {
    await withHarness({ argv: [...CALL_TIMEOUT] }, async (h, sandbox) => {
      const { plain } = pickFixtures(sandbox.state);
      sandbox.inject({ method: "GET", path: `/v2025/identities/${plain}`, delayMs: FOREVER });
      const res = await stoppedAt(
        () => h.call("get_identity", { identityId: plain }),
        () => apiRequests(sandbox).length === 1,
        "the read at ISC",
      );
      expect(res.isError).toBe(true);
      expect(textOf(res)).toBe(
        `get_identity failed. ISC did not answer GET /v2025/identities/${plain} within 3 s (this call's time limit, --call-timeout); nothing was changed.\n${RETRY}`,
      );
      expect(apiRequests(sandbox)).toHaveLength(1);
    });
  });

  it("no answer after a write ran at ISC: 'the write may have happened' and how to check, and it did happen", async ({
    expect,
  }) => {
    let name = "";
    await withHarness(
      { argv: [...CALL_TIMEOUT, "--confirm", "strict"], onElicit: () => ({ action: "accept", content: { name } }) },
      async (h, sandbox) => {
        const { plain } = pickFixtures(sandbox.state);
        name = sandbox.state.identities.get(plain)!.name;
        // ISC deletes, then its answer never comes.
        sandbox.inject({ method: "DELETE", afterOperation: true, delayMs: FOREVER });
        const res = await stoppedAt(
          () => h.call("delete_identity", { identityId: plain }),
          () => sandbox.state.deleted.includes(plain),
          "the delete done at ISC",
        );
        expect(res.isError).toBe(true);
        expect(textOf(res)).toBe(
          `delete_identity failed. ISC did not answer DELETE /v2025/identities/${plain} within 3 s (this call's time limit, --call-timeout); the write may have happened.\n` +
            `Next step: Check with get_identity with identityId ${plain} (a 404 means it is gone) before calling again; call again only if it did not happen.`,
        );
        expect(sandbox.state.deleted).toEqual([plain]);
        expect(apiRequests(sandbox).filter((r) => r.method === "DELETE")).toHaveLength(1);
        expect(lastAudit(h)).toMatchObject({ outcome: "failed", reason: "deadline" });
        // The check the text names tells the truth.
        expect(textOf(await h.call("get_identity", { identityId: plain }))).toMatch(/HTTP 404/);
      },
    );
  });

  it("a body that stops half-way, a read: nothing was changed", async ({ expect }) => {
    await withHarness({ argv: [...CALL_TIMEOUT] }, async (h, sandbox) => {
      const { plain } = pickFixtures(sandbox.state);
      sandbox.inject({ method: "GET", path: `/v2025/identities/${plain}`, stallBodyAfterBytes: 20 });
      const res = await stoppedAt(
        () => h.call("get_identity", { identityId: plain }),
        () => apiRequests(sandbox)[0]?.status === 200,
        "ISC's answer begun",
        true,
      );
      expect(res.isError).toBe(true);
      expect(textOf(res)).toBe(
        `get_identity failed. ISC did not answer GET /v2025/identities/${plain} within 3 s (this call's time limit, --call-timeout): its answer (HTTP 200) was still arriving; nothing was changed.\n${RETRY}`,
      );
      expect(apiRequests(sandbox).map((r) => r.status)).toEqual([200]);
    });
  });

  it("a body that stops half-way, a read, with full garbage collections meanwhile: the deadline still ends it", async ({
    expect,
  }) => {
    await withHarness({ argv: [...CALL_TIMEOUT] }, async (h, sandbox) => {
      const { plain } = pickFixtures(sandbox.state);
      sandbox.inject({ method: "GET", path: `/v2025/identities/${plain}`, stallBodyAfterBytes: 20 });
      // undici announces the answer's head as the client reads it: from then on the call reads the body, and ky,
      // having handed over the answer, has let go of its Request (src/isc/undici-fetch.ts, `arriving`).
      let headRead = () => {};
      const read = new Promise<void>((resolve) => (headRead = resolve));
      subscribe("undici:request:headers", headRead);
      const call = h.call("get_identity", { identityId: plain });
      await read;
      unsubscribe("undici:request:headers", headRead);
      await until(() => apiRequests(sandbox)[0]?.status === 200, "ISC's answer begun");
      // Before the body held that Request, this call went on until undici's 300-s body timeout.
      await collectGarbage();
      deadlines.pass();
      expect(textOf(await call)).toBe(
        `get_identity failed. ISC did not answer GET /v2025/identities/${plain} within 3 s (this call's time limit, --call-timeout): its answer (HTTP 200) was still arriving; nothing was changed.\n${RETRY}`,
      );
      expect(apiRequests(sandbox).map((r) => r.status)).toEqual([200]);
    });
  });

  it("a body that stops half-way after a write: done (ISC said 2xx), details unknown, never 'failed'", async ({
    expect,
  }) => {
    await withHarness({ argv: [...CALL_TIMEOUT] }, async (h, sandbox) => {
      const { plain } = pickFixtures(sandbox.state);
      sandbox.inject({ method: "POST", path: API, stallBodyAfterBytes: 5 });
      const res = await stoppedAt(
        () => h.call("synchronize_attributes_for_identity", { identityId: plain }),
        () => posts(sandbox)[0] === 202,
        "ISC's answer begun",
        true,
      );
      expect(res.isError).toBeFalsy();
      expect(res.structuredContent).toEqual({ status: "executed" });
      expect(textOf(res)).toMatch(/^synchronize_attributes_for_identity was done: ISC accepted the request\./);
      expect(textOf(res)).toContain(
        `ISC answered POST /v2025/identities/${plain}/synchronize-attributes with HTTP 202 (so it acted), but the rest of its answer did not arrive within 3 s (this call's time limit, --call-timeout).`,
      );
      expect(textOf(res)).toContain(
        `Do not call synchronize_attributes_for_identity again for this: it would act twice.\nNext step: check the result with get_identity with identityId ${plain} in a minute.`,
      );
      expect(sandbox.state.syncs.map((s) => s.identityId)).toEqual([plain]);
      expect(lastAudit(h)).toMatchObject({ outcome: "executed", httpStatus: 202, reason: "answer-cut-off" });
    });
  });

  it("waiting out a Retry-After, a write: ISC refused it unrun, so nothing was changed", async ({ expect }) => {
    await withHarness({ argv: [...CALL_TIMEOUT, "--max-retry-after", "60"] }, async (h, sandbox) => {
      const { plain } = pickFixtures(sandbox.state);
      sandbox.inject({ method: "POST", path: API, status: 429, retryAfter: 50 });
      const from = deadlines.scheduled.length;
      const res = await stoppedAt(
        () => h.call("synchronize_attributes_for_identity", { identityId: plain }),
        () => waiting(from, (d) => d === 50_000),
        "the 50-s wait after the 429",
      );
      expect(res.isError).toBe(true);
      expect(textOf(res)).toBe(
        `synchronize_attributes_for_identity failed. ISC did not answer POST /v2025/identities/${plain}/synchronize-attributes within 3 s (this call's time limit, --call-timeout): after HTTP 429 the retry was still waiting; nothing was changed.\n${RETRY}`,
      );
      expect(posts(sandbox)).toEqual([429]);
      expect(sandbox.state.syncs).toEqual([]);
    });
  });

  it("waiting out a backoff, a read after HTTP 503: nothing was changed", async ({ expect }) => {
    // The backoff is capped at 5 s: past this deadline.
    await withHarness({ argv: [...CALL_TIMEOUT, "--retry-backoff", "60000"] }, async (h, sandbox) => {
      const { plain } = pickFixtures(sandbox.state);
      sandbox.inject({ method: "GET", path: `/v2025/identities/${plain}`, status: 503 });
      const from = deadlines.scheduled.length;
      const res = await stoppedAt(
        () => h.call("get_identity", { identityId: plain }),
        () => apiRequests(sandbox)[0]?.status === 503 && waiting(from, (d) => d === 5_000),
        "the 5-s backoff after the 503",
      );
      expect(res.isError).toBe(true);
      expect(textOf(res)).toBe(
        `get_identity failed. ISC did not answer GET /v2025/identities/${plain} within 3 s (this call's time limit, --call-timeout): after HTTP 503 the retry was still waiting; nothing was changed.\n${RETRY}`,
      );
      expect(apiRequests(sandbox).map((r) => r.status)).toEqual([503]);
    });
  });

  it("waiting out a backoff, a write after a 429 without Retry-After: nothing was changed", async ({ expect }) => {
    await withHarness(
      { argv: [...CALL_TIMEOUT, "--retry-backoff", "60000", "--confirm", "auto"] },
      async (h, sandbox) => {
        const { plain } = pickFixtures(sandbox.state);
        sandbox.inject({ method: "POST", path: "/v2025/identities/process", status: 429 });
        const from = deadlines.scheduled.length;
        const res = await stoppedAt(
          () => h.call("start_identity_processing", { identityIds: [plain] }),
          () => posts(sandbox)[0] === 429 && waiting(from, (d) => d === 5_000),
          "the 5-s backoff after the 429",
        );
        expect(res.isError).toBe(true);
        expect(textOf(res)).toBe(
          `start_identity_processing failed. ISC did not answer POST /v2025/identities/process within 3 s (this call's time limit, --call-timeout): after HTTP 429 the retry was still waiting; nothing was changed.\n${RETRY}`,
        );
        expect(posts(sandbox)).toEqual([429]);
        expect(sandbox.state.processed).toEqual([]);
      },
    );
  });

  it("waiting for a token refresh, a write (its first attempt got 401): never sent, nothing was changed", async ({
    expect,
  }) => {
    await withHarness({ argv: [...CALL_TIMEOUT] }, async (h, sandbox) => {
      const { plain, owner } = pickFixtures(sandbox.state);
      expect((await h.call("get_identity", { identityId: owner })).isError).toBeFalsy();
      // The cached token stops working, and the token endpoint then never answers.
      sandbox.expireTokens();
      sandbox.inject({ path: "/oauth/token", delayMs: FOREVER });
      const res = await stoppedAt(
        () => h.call("synchronize_attributes_for_identity", { identityId: plain }),
        () => tokenRequests(sandbox) === 2,
        "the token asked for again",
      );
      expect(res.isError).toBe(true);
      expect(textOf(res)).toBe(
        `synchronize_attributes_for_identity failed. ISC did not answer POST /v2025/identities/${plain}/synchronize-attributes within 3 s (this call's time limit, --call-timeout): the request was still waiting for an access token, so it was never sent; nothing was changed.\n${RETRY}`,
      );
      expect(posts(sandbox)).toEqual([401]);
      expect(sandbox.state.syncs).toEqual([]);
    });
  });

  it("waiting for the first token, a read: never sent, nothing was changed", async ({ expect }) => {
    await withHarness(
      { argv: [...CALL_TIMEOUT] },
      async (h, sandbox) => {
        const { plain } = pickFixtures(sandbox.state);
        sandbox.inject({ path: "/oauth/token", delayMs: FOREVER });
        const res = await stoppedAt(
          () => h.call("get_identity", { identityId: plain }),
          () => tokenRequests(sandbox) === 1,
          "the first token asked for",
        );
        expect(textOf(res)).toBe(
          `get_identity failed. ISC did not answer GET /v2025/identities/${plain} within 3 s (this call's time limit, --call-timeout): the request was still waiting for an access token, so it was never sent; nothing was changed.\n${RETRY}`,
        );
        expect(apiRequests(sandbox)).toEqual([]);
      },
      false,
    );
  });

  it("waiting for a turn in the rate budget, a write: never sent, nothing was changed", async ({ expect }) => {
    // One request per 10 minutes: the first call takes it, the write waits.
    await withHarness(
      { argv: [...CALL_TIMEOUT, "--rate-limit", "1", "--rate-window", "600000"] },
      async (h, sandbox) => {
        const { plain, owner } = pickFixtures(sandbox.state);
        expect((await h.call("get_identity", { identityId: owner })).isError).toBeFalsy();
        const from = deadlines.scheduled.length;
        const res = await stoppedAt(
          () => h.call("synchronize_attributes_for_identity", { identityId: plain }),
          () => waiting(from, (d) => d > 60_000),
          "the write waiting for a slot",
        );
        expect(res.isError).toBe(true);
        expect(textOf(res)).toBe(
          `synchronize_attributes_for_identity failed. ISC did not answer POST /v2025/identities/${plain}/synchronize-attributes within 3 s (this call's time limit, --call-timeout): the request was still waiting for its turn in this server's request budget (--rate-limit), so it was never sent; nothing was changed.\n${RETRY}`,
        );
        expect(posts(sandbox)).toEqual([]);
        expect(sandbox.state.syncs).toEqual([]);
      },
    );
  });

  it("a paging read whose next page's body stops half-way (the reported failure): the same text, not a bug report", async ({
    expect,
  }) => {
    await withHarness({ sandbox: { identities: 600 }, argv: [...CALL_TIMEOUT] }, async (h, sandbox) => {
      sandbox.inject({ path: "/v2025/identities", delayMs: 1 });
      sandbox.inject({ path: "/v2025/identities", stallBodyAfterBytes: 100 });
      const res = await stoppedAt(
        () => h.call("list_identities", { maxItems: 600, defaultFilter: "NONE" }),
        () => apiRequests(sandbox)[1]?.status === 200,
        "the next page's answer begun",
        true,
      );
      expect(textOf(res)).not.toMatch(NOT_A_BUG);
      expect(textOf(res)).toMatch(
        new RegExp(
          `^list_identities failed\\. ISC did not answer GET /v2025/identities ${WITHIN}: its answer \\(HTTP 200\\) was still arriving; nothing was changed\\.`,
        ),
      );
      expect(apiRequests(sandbox).map((r) => r.query.match(/offset=\d+/)?.[0])).toEqual(["offset=0", "offset=250"]);
    });
  });
});

describe("the client's cancellation keeps its own words", () => {
  it("a write cancelled while ISC has not answered is recorded as cancelled, not as a deadline", async ({ expect }) => {
    await withHarness({ argv: ["--call-timeout", "60000"] }, async (h, sandbox) => {
      const { plain } = pickFixtures(sandbox.state);
      sandbox.inject({ method: "POST", path: API, delayMs: FOREVER });
      const cancel = new AbortController();
      const call = h.client.callTool(
        { name: "synchronize_attributes_for_identity", arguments: { identityId: plain } },
        undefined,
        { signal: cancel.signal },
      );
      // Cancelled once the request reached ISC: the sandbox logs it as it arrives.
      await expect.poll(() => posts(sandbox)).toEqual([0]);
      cancel.abort("the user changed their mind");
      await expect(call).rejects.toThrow(/changed their mind/);
      await expect.poll(() => h.audit.length).toBe(1);
      expect(lastAudit(h)).toMatchObject({ outcome: "failed", reason: "cancelled" });
      expect(sandbox.state.syncs).toEqual([]);
    });
  });
});

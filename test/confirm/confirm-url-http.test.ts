// Over HTTP: a client declaring only URL elicitation gets the server's page (confirmed in chromium); one declaring both gets the form.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  ElicitationCompleteNotificationSchema,
  ElicitRequestSchema,
  type CallToolResult,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";
import { createAuditLog } from "../../src/guard/audit.js";
import { createMemoryStore } from "../../src/guard/store.js";
import { createSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { describeWithBrowser, launchBrowser, type TestBrowser } from "../support/browser.js";
import { deletable, seenOf, textOf } from "../support/confirm-e2e.js";
import { writeRequests } from "../support/guard-helpers.js";
import { MODERN } from "../support/modern-harness.js";
import { startPagedHttp } from "../support/paged-http.js";

interface Http {
  url: string;
  sandbox: Sandbox;
  audit: string[];
  close(): Promise<void>;
}

async function startHttp(argv: string[]): Promise<Http> {
  const { config } = resolveConfig(["--sandbox", "--http", "--port", "0", ...argv], {});
  const sandbox = createSandbox({ rateLimit: false, identities: 40 });
  const audit: string[] = [];
  const auditLog = createAuditLog({ write: (l) => void audit.push(l) });
  const http = await startPagedHttp(config, sandbox, { store: createMemoryStore(), audit: auditLog });
  return { url: http.serving.url, sandbox, audit, close: http.close };
}

interface Seen {
  requests: Array<{ mode: string; url?: string; elicitationId?: string; message: string }>;
  completed: string[];
}

type Era = "2025" | "2026";
/** The client as the tests drive it, the same in both eras. */
interface Connected {
  call(
    name: string,
    args: Record<string, unknown>,
    options?: { timeout?: number; signal?: AbortSignal; onprogress?: (p: { message?: string }) => void },
  ): Promise<CallToolResult>;
  close(): Promise<void>;
  seen: Seen;
}

/**
 * 2025: sdk 1.32 on a session (URL elicitation with an elicitationId, completion notified). 2026: the v2 client pinned
 * to 2026-07-28 on the per-request leg: the page comes as an input request (no elicitationId, no completion), the
 * client answers it and calls again with the round's requestState, on which the server waits for the page's answer.
 */
async function connect(
  url: string,
  elicitation: Record<string, Record<string, never>>,
  answer: (req: Seen["requests"][number]) => ElicitResult,
  era: Era = "2025",
): Promise<Connected> {
  const seen: Seen = { requests: [], completed: [] };
  const record = (p: Seen["requests"][number]) => {
    seen.requests.push({
      mode: p.mode ?? "form",
      message: p.message,
      ...(p.url ? { url: p.url } : {}),
      ...(p.elicitationId ? { elicitationId: p.elicitationId } : {}),
    });
    return answer(seen.requests.at(-1)!);
  };
  if (era === "2026") {
    const client = new ModernClient(
      { name: "url-test-2026", version: "2.0.0" },
      { capabilities: { elicitation }, versionNegotiation: { mode: { pin: MODERN } } },
    );
    client.setRequestHandler("elicitation/create", async (req) => record(req.params as never) as never);
    await client.connect(new ModernTransport(new URL(url)));
    return {
      call: async (name, args, options) =>
        (await client.callTool({ name, arguments: args }, options as never)) as CallToolResult,
      close: () => client.close(),
      seen,
    };
  }
  const client = new Client({ name: "url-test", version: "1.0.0" }, { capabilities: { elicitation } });
  client.setRequestHandler(ElicitRequestSchema, async (req) => record(req.params as Seen["requests"][number]));
  client.setNotificationHandler(
    ElicitationCompleteNotificationSchema,
    async (n) => void seen.completed.push(n.params.elicitationId),
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return {
    call: async (name, args, options) =>
      (await client.callTool({ name, arguments: args }, undefined, options)) as CallToolResult,
    close: () => client.close(),
    seen,
  };
}

const audits = (h: Http) => h.audit.map((l) => JSON.parse(l) as Record<string, unknown>);

/** The audit line's era for each client. */
const ERA_OF: Record<Era, string> = { "2025": "2025-11-25", "2026": MODERN };

describeWithBrowser("confirmation over HTTP", () => {
  let browser: TestBrowser;
  let h: Http | undefined;
  let client: Connected | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterEach(async () => {
    await client?.close();
    await h?.close();
    h = undefined;
  });
  afterAll(async () => browser?.close());

  for (const era of ["2025", "2026"] as const)
    describe(`${era} client`, () => {
      it("a client with only URL elicitation: the page opens, the human confirms in the browser, completion is notified (2025)", async () => {
        h = await startHttp([]);
        const id = deletable(h.sandbox.state, 1)[0]!;
        const name = h.sandbox.state.identities.get(id)!.name;
        let confirmed: Promise<void> | undefined;
        const c = (client = await connect(
          h.url,
          { url: {} },
          (req) => {
            // The client shows the URL to its user, who opens it and confirms; the elicitation itself is answered at once.
            confirmed = (async () => {
              const page = await browser.context.newPage();
              await page.goto(req.url!);
              await page.fill("#name", name);
              await page.click("button.go");
              await page.waitForSelector("text=Confirmed");
              await page.close();
            })();
            return { action: "accept" };
          },
          era,
        ));
        const res = await c.call("delete_identity", { identityId: id }, { timeout: 60_000 });
        await confirmed;
        expect(res.isError).toBeFalsy();
        expect(textOf(res)).toContain("was deleted");
        expect(writeRequests(h.sandbox).filter((r) => r.method === "DELETE")).toHaveLength(1);
        expect(writeRequests(h.sandbox)).toHaveLength(1);
        const [req] = c.seen.requests;
        expect(c.seen.requests).toHaveLength(1);
        expect(req!.mode).toBe("url");
        expect(req!.url).toMatch(new RegExp(`^${h.url.replace(/\/mcp$/, "")}/confirm/[A-Za-z0-9_-]{24}$`));
        if (era === "2025") {
          expect(req!.url).not.toContain(req!.elicitationId!);
          await expect.poll(() => c.seen.completed).toEqual([req!.elicitationId]);
        } else {
          // 2026-07-28 has neither: the retry round itself waits for the page's answer.
          expect(req!.elicitationId).toBeUndefined();
          expect(c.seen.completed).toEqual([]);
        }
        expect(seenOf(res)).not.toContain("/confirm/");
        expect(audits(h).at(-1)).toMatchObject({
          tool: "delete_identity",
          outcome: "executed",
          confirmation: "url",
          era: ERA_OF[era],
        });
      });

      it("a declined URL elicitation changes nothing", async () => {
        // This client declines at once; 0 takes that as a person's no, not as a client declining unseen.
        h = await startHttp(["--confirm-fast-answer", "0"]);
        const id = deletable(h.sandbox.state, 1)[0]!;
        const c = (client = await connect(h.url, { url: {} }, () => ({ action: "decline" }), era));
        const res = await c.call("delete_identity", { identityId: id });
        expect(res.isError).toBe(true);
        expect(textOf(res)).toMatch(/the user declined opening the confirmation page/);
        expect(writeRequests(h.sandbox)).toEqual([]);
        expect(audits(h).at(-1)).toMatchObject({ tool: "delete_identity", outcome: "refused", era: ERA_OF[era] });
      });

      it("a call cancelled while its page waits changes nothing, and its audit line says the question went unanswered", async () => {
        // The client opens the page (accepts at once: 0 lets that count) and is cancelled while the person has it.
        h = await startHttp(["--confirm-fast-answer", "0"]);
        const id = deletable(h.sandbox.state, 1)[0]!;
        const c = (client = await connect(h.url, { url: {} }, () => ({ action: "accept" }), era));
        const cancel = new AbortController();
        const call = c.call(
          "delete_identity",
          { identityId: id },
          {
            signal: cancel.signal,
            // The server says it waits on the page (its first progress of that wait): only then is the call cancelled.
            onprogress: (p) => {
              if (p.message?.startsWith("Waiting for the user to answer the confirmation page")) cancel.abort();
            },
          },
        );
        await expect(call).rejects.toThrow();
        await expect
          .poll(() => audits(h!).at(-1))
          .toMatchObject({
            tool: "delete_identity",
            outcome: "refused",
            // Both eras: the question went unanswered (the page stays open for a later call with the same arguments).
            reason: "elicitation-failed",
            confirmation: "url",
            era: ERA_OF[era],
          });
        expect(writeRequests(h.sandbox)).toEqual([]);
      });

      it("a client with both: the form by default, the page when --confirm-via puts url first", async () => {
        // Its scripted human answers the form at once: 0 lets that count as a person's answer.
        h = await startHttp(["--confirm-fast-answer", "0"]);
        const [a] = deletable(h.sandbox.state, 1);
        const name = h.sandbox.state.identities.get(a!)!.name;
        const c = (client = await connect(
          h.url,
          { form: {}, url: {} },
          (req) => (req.mode === "form" ? { action: "accept", content: { name } } : { action: "cancel" }),
          era,
        ));
        const res = await c.call("delete_identity", { identityId: a! });
        expect(res.isError).toBeFalsy();
        expect(c.seen.requests.map((r) => r.mode)).toEqual(["form"]);
        expect(audits(h).at(-1)).toMatchObject({ outcome: "executed", confirmation: "form", era: ERA_OF[era] });
        expect(writeRequests(h.sandbox)).toHaveLength(1);
        await c.close();
        await h.close();

        h = await startHttp(["--confirm-via", "url,form"]);
        const [b] = deletable(h.sandbox.state, 1);
        const nameB = h.sandbox.state.identities.get(b!)!.name;
        let done: Promise<unknown> | undefined;
        const d = (client = await connect(
          h.url,
          { form: {}, url: {} },
          (req) => {
            if (req.mode === "url") {
              const target = new URL(req.url!);
              done = fetch(target, {
                method: "POST",
                headers: { "content-type": "application/x-www-form-urlencoded", origin: target.origin },
                body: new URLSearchParams({ answer: "confirm", name: nameB }),
              });
            }
            return { action: "accept", content: req.mode === "form" ? { name: nameB } : undefined } as ElicitResult;
          },
          era,
        ));
        const res2 = await d.call("delete_identity", { identityId: b! });
        await done;
        expect(res2.isError).toBeFalsy();
        expect(d.seen.requests.map((r) => r.mode)).toEqual(["url"]);
        expect(audits(h).at(-1)).toMatchObject({ outcome: "executed", confirmation: "url", era: ERA_OF[era] });
        expect(writeRequests(h.sandbox)).toHaveLength(1);
      });
    });
});

// Over HTTP: a client declaring only URL elicitation gets the server's page (confirmed in chromium); one declaring both gets the form.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  ElicitationCompleteNotificationSchema,
  ElicitRequestSchema,
  type CallToolResult,
  type ElicitResult,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";
import { createAuditLog } from "../../src/guard/audit.js";
import { createMemoryStore } from "../../src/guard/store.js";
import { createSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { describeWithBrowser, launchBrowser, type TestBrowser } from "../support/browser.js";
import { deletable, seenOf, textOf } from "../support/confirm-e2e.js";
import { writeRequests } from "../support/guard-helpers.js";
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

async function connect(
  url: string,
  elicitation: Record<string, object>,
  answer: (req: Seen["requests"][number]) => ElicitResult,
): Promise<{ client: Client; seen: Seen }> {
  const client = new Client({ name: "url-test", version: "1.0.0" }, { capabilities: { elicitation } });
  const seen: Seen = { requests: [], completed: [] };
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    const p = req.params as Seen["requests"][number];
    seen.requests.push({
      mode: p.mode ?? "form",
      message: p.message,
      ...(p.url ? { url: p.url } : {}),
      ...(p.elicitationId ? { elicitationId: p.elicitationId } : {}),
    });
    return answer(seen.requests.at(-1)!);
  });
  client.setNotificationHandler(
    ElicitationCompleteNotificationSchema,
    async (n) => void seen.completed.push(n.params.elicitationId),
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return { client, seen };
}

const audits = (h: Http) => h.audit.map((l) => JSON.parse(l) as Record<string, unknown>);

describeWithBrowser("confirmation over HTTP", () => {
  let browser: TestBrowser;
  let h: Http | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterEach(async () => {
    await client?.close();
    await h?.close();
    h = undefined;
  });
  afterAll(async () => browser?.close());

  it("a client with only URL elicitation: the page opens, the human confirms in the browser, completion is notified", async () => {
    h = await startHttp([]);
    const id = deletable(h.sandbox.state, 1)[0]!;
    const name = h.sandbox.state.identities.get(id)!.name;
    let confirmed: Promise<void> | undefined;
    const c = await connect(h.url, { url: {} }, (req) => {
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
    });
    client = c.client;
    const res = (await client.callTool({ name: "delete_identity", arguments: { identityId: id } }, undefined, {
      timeout: 60_000,
    })) as CallToolResult;
    await confirmed;
    expect(res.isError).toBeFalsy();
    expect(textOf(res)).toContain("was deleted");
    expect(writeRequests(h.sandbox).filter((r) => r.method === "DELETE")).toHaveLength(1);
    const [req] = c.seen.requests;
    expect(req!.mode).toBe("url");
    expect(req!.url).toMatch(new RegExp(`^${h.url.replace(/\/mcp$/, "")}/confirm/[A-Za-z0-9_-]{24}$`));
    expect(req!.url).not.toContain(req!.elicitationId!);
    await expect.poll(() => c.seen.completed).toEqual([req!.elicitationId]);
    expect(seenOf(res)).not.toContain("/confirm/");
    expect(audits(h).at(-1)).toMatchObject({ tool: "delete_identity", outcome: "executed", confirmation: "url" });
  });

  it("a declined URL elicitation changes nothing", async () => {
    // This client declines at once; 0 takes that as a person's no, not as a client declining unseen.
    h = await startHttp(["--confirm-fast-answer", "0"]);
    const id = deletable(h.sandbox.state, 1)[0]!;
    const c = await connect(h.url, { url: {} }, () => ({ action: "decline" }));
    client = c.client;
    const res = (await client.callTool({ name: "delete_identity", arguments: { identityId: id } })) as CallToolResult;
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/the user declined opening the confirmation page/);
    expect(writeRequests(h.sandbox)).toEqual([]);
  });

  it("a call cancelled while its page waits changes nothing, and its audit line says the question went unanswered", async () => {
    // The client opens the page (accepts at once: 0 lets that count) and is cancelled while the person has it.
    h = await startHttp(["--confirm-fast-answer", "0"]);
    const id = deletable(h.sandbox.state, 1)[0]!;
    const c = await connect(h.url, { url: {} }, () => ({ action: "accept" }));
    client = c.client;
    const cancel = new AbortController();
    const call = client.callTool({ name: "delete_identity", arguments: { identityId: id } }, undefined, {
      signal: cancel.signal,
      // The server says it waits on the page (its first progress of that wait): only then is the call cancelled.
      onprogress: (p) => {
        if (p.message?.startsWith("Waiting for the user to answer the confirmation page")) cancel.abort();
      },
    });
    await expect(call).rejects.toThrow();
    await expect
      .poll(() => audits(h!).at(-1))
      .toMatchObject({
        tool: "delete_identity",
        outcome: "refused",
        reason: "elicitation-failed",
        confirmation: "url",
      });
    expect(writeRequests(h.sandbox)).toEqual([]);
  });

  it("a client with both: the form by default, the page when --confirm-via puts url first", async () => {
    // Its scripted human answers the form at once: 0 lets that count as a person's answer.
    h = await startHttp(["--confirm-fast-answer", "0"]);
    const [a] = deletable(h.sandbox.state, 1);
    const name = h.sandbox.state.identities.get(a!)!.name;
    const c = await connect(h.url, { form: {}, url: {} }, (req) =>
      req.mode === "form" ? { action: "accept", content: { name } } : { action: "cancel" },
    );
    client = c.client;
    const res = (await client.callTool({ name: "delete_identity", arguments: { identityId: a } })) as CallToolResult;
    expect(res.isError).toBeFalsy();
    expect(c.seen.requests.map((r) => r.mode)).toEqual(["form"]);
    expect(audits(h).at(-1)).toMatchObject({ outcome: "executed", confirmation: "form" });
    await client.close();
    await h.close();

    h = await startHttp(["--confirm-via", "url,form"]);
    const [b] = deletable(h.sandbox.state, 1);
    const nameB = h.sandbox.state.identities.get(b!)!.name;
    let done: Promise<unknown> | undefined;
    const d = await connect(h.url, { form: {}, url: {} }, (req) => {
      if (req.mode === "url") {
        const target = new URL(req.url!);
        done = fetch(target, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", origin: target.origin },
          body: new URLSearchParams({ answer: "confirm", name: nameB }),
        });
      }
      return { action: "accept", content: req.mode === "form" ? { name: nameB } : undefined } as ElicitResult;
    });
    client = d.client;
    const res2 = (await client.callTool({ name: "delete_identity", arguments: { identityId: b } })) as CallToolResult;
    await done;
    expect(res2.isError).toBeFalsy();
    expect(d.seen.requests.map((r) => r.mode)).toEqual(["url"]);
    expect(audits(h).at(-1)).toMatchObject({ outcome: "executed", confirmation: "url" });
  });
});

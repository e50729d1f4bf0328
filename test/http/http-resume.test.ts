// SSE priming events and resumption over real HTTP: a call whose stream is cut mid-way still gets its result (Last-Event-ID).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { startCuttingProxy, type CuttingProxy } from "../support/cutting-proxy.js";
import { startHttpHarness, type HttpHarness } from "../support/http-harness.js";

let h: HttpHarness | undefined;
let proxy: CuttingProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await h?.close();
  h = undefined;
  proxy = undefined;
});

const SSE = { "content-type": "application/json", accept: "application/json, text/event-stream" };

/** A session opened by hand on `protocolVersion`: the headers later requests need. */
async function openSession(url: string, protocolVersion = "2025-11-25"): Promise<Record<string, string>> {
  const init = {
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  };
  const res = await fetch(url, { method: "POST", headers: SSE, body: JSON.stringify(init) });
  await res.text();
  const headers = {
    ...SSE,
    "mcp-session-id": res.headers.get("mcp-session-id")!,
    "mcp-protocol-version": protocolVersion,
  };
  await (
    await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    })
  ).text();
  return headers;
}

const post = (url: string, headers: Record<string, string>, body: unknown, signal?: AbortSignal) =>
  fetch(url, { method: "POST", headers, body: JSON.stringify(body), ...(signal ? { signal } : {}) });

/** Reads an SSE body until `stop` says so (or it ends); returns the text read. */
async function readUntil(res: Response, stop: (text: string) => boolean): Promise<string> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!stop(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel().catch(() => {});
  return text;
}

const getIdentity = (id: number, identityId: string) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "get_identity", arguments: { identityId } },
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe("SSE priming and resumption", () => {
  it("starts every SSE response with a priming event: an id, a retry field and empty data", async () => {
    h = await startHttpHarness();
    const headers = await openSession(h.url);
    const res = await post(h.url, headers, { jsonrpc: "2.0", id: 1, method: "tools/list" });
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await readUntil(res, (t) => t.includes('"tools"'));
    expect(text).toMatch(/^id: [^\n]+\nretry: 2000\ndata: \n\n/);
    // The message that follows carries an id of its own, so a cursor exists after every event.
    expect(text).toMatch(/\n\nevent: message\nid: [^\n]+\ndata: \{"result":\{"tools":/);
  });

  it("sends no priming event to a client on a protocol older than 2025-11-25 (it would choke on empty data)", async () => {
    h = await startHttpHarness();
    const headers = await openSession(h.url, "2025-06-18");
    const text = await readUntil(await post(h.url, headers, { jsonrpc: "2.0", id: 1, method: "tools/list" }), (t) =>
      t.includes('"tools"'),
    );
    expect(text).toMatch(/^event: message\n/);
    expect(text).not.toContain("retry:");
  });

  it("the SDK's client gets a slow call's result although a proxy cut its stream after the priming event", async () => {
    h = await startHttpHarness([], {}, { events: { retryMs: 200 } });
    proxy = await startCuttingProxy(h.url);
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.inject({ method: "GET", path: `/v2025/identities/${plain}`, delayMs: 1500 });
    const client = new Client({ name: "resume-test", version: "1" });
    const errors: string[] = [];
    const transport = new StreamableHTTPClientTransport(new URL(proxy.url));
    await client.connect(transport);
    transport.onerror = (err) => void errors.push(err.message);
    try {
      const res = (await client.callTool({ name: "get_identity", arguments: { identityId: plain } })) as CallToolResult;
      expect(proxy.cuts).toBe(1);
      expect(errors.join("\n")).toMatch(/SSE stream disconnected/);
      expect(res.isError).toBeFalsy();
      expect((res.structuredContent as { identity: { id: string } }).identity.id).toBe(plain);
    } finally {
      await client.close();
    }
  });

  it("replays a result that arrived while no stream was open to a GET with Last-Event-ID", async () => {
    h = await startHttpHarness();
    const { plain } = pickFixtures(h.sandbox.state);
    const headers = await openSession(h.url);
    h.sandbox.inject({ method: "GET", path: `/v2025/identities/${plain}`, delayMs: 400 });
    const dropped = new AbortController();
    const first = await readUntil(await post(h.url, headers, getIdentity(7, plain), dropped.signal), (t) =>
      t.includes("\n\n"),
    );
    dropped.abort();
    const cursor = /^id: ([^\n]+)\n/.exec(first)![1]!;
    // The call goes on without its stream; its result is stored when it comes.
    await until(
      () => h!.sandbox.requests.some((r) => r.path === `/v2025/identities/${plain}` && r.status === 200),
      "the slow read",
    );
    await new Promise((r) => setTimeout(r, 200));
    const resumed = await fetch(h.url, {
      headers: {
        accept: "text/event-stream",
        "mcp-session-id": headers["mcp-session-id"]!,
        "mcp-protocol-version": "2025-11-25",
        "last-event-id": cursor,
      },
    });
    expect(resumed.status).toBe(200);
    const text = await readUntil(resumed, (t) => t.includes('"id":7'));
    const data = /data: (\{.*"id":7.*\})\n/.exec(text)![1]!;
    const message = JSON.parse(data) as { id: number; result: CallToolResult };
    expect(message.result.isError).toBeFalsy();
    expect((message.result.structuredContent as { identity: { id: string } }).identity.id).toBe(plain);
  });

  it("keeps a bounded store: past its bound the oldest events are gone and resuming from them is refused", async () => {
    h = await startHttpHarness([], {}, { events: { maxEvents: 4 } });
    const headers = await openSession(h.url);
    const first = await readUntil(await post(h.url, headers, { jsonrpc: "2.0", id: 1, method: "tools/list" }), (t) =>
      t.includes('"tools"'),
    );
    const cursor = /^id: ([^\n]+)\n/.exec(first)![1]!;
    const getFrom = () =>
      fetch(h!.url, {
        headers: {
          accept: "text/event-stream",
          "mcp-session-id": headers["mcp-session-id"]!,
          "mcp-protocol-version": "2025-11-25",
          "last-event-id": cursor,
        },
      });
    // Still kept: the resume is accepted (the tools/list answer is replayed).
    const kept = await getFrom();
    expect(kept.status).toBe(200);
    expect(await readUntil(kept, (t) => t.includes('"tools"'))).toContain('"tools"');
    // Two more answers (two events each: priming and message) push the first ones out.
    for (const id of [2, 3])
      await readUntil(await post(h.url, headers, { jsonrpc: "2.0", id, method: "ping" }), (t) =>
        t.includes(`"id":${id}`),
      );
    const gone = await getFrom();
    expect(gone.status).toBe(400);
    expect(((await gone.json()) as { error: { message: string } }).error.message).toMatch(/Invalid event ID/);
  });

  it("resumes only within the session that sent the events", async () => {
    h = await startHttpHarness();
    const mine = await openSession(h.url);
    const other = await openSession(h.url);
    const first = await readUntil(await post(h.url, mine, { jsonrpc: "2.0", id: 1, method: "tools/list" }), (t) =>
      t.includes('"tools"'),
    );
    const cursor = /^id: ([^\n]+)\n/.exec(first)![1]!;
    const res = await fetch(h.url, {
      headers: {
        accept: "text/event-stream",
        "mcp-session-id": other["mcp-session-id"]!,
        "mcp-protocol-version": "2025-11-25",
        "last-event-id": cursor,
      },
    });
    expect(res.status).toBe(400);
    await res.text();
  });
});

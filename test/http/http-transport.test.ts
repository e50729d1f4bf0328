// The Streamable HTTP transport through the SDK's own client: sessions, stateless mode, and every refusal it owes.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "../support/until.js";
import { holdDeadlines } from "../support/held-deadlines.js";
import { INITIALIZE, rawRequest, startHttpHarness, type HttpHarness } from "../support/http-harness.js";

const KEY = { ISC_MCP_CONFIRM_KEY: "test-confirm-key-0123456789abcdef" };
let h: HttpHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function listAndCall(harness: HttpHarness, headers?: Record<string, string>) {
  const { client } = await harness.connect(headers ? { headers } : {});
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toContain("get_identity");
  const list = (await client.callTool({ name: "list_identities", arguments: { limit: 2 } })) as CallToolResult;
  const items = (list.structuredContent as { items: Array<{ id: string; name: string }> }).items;
  expect(items).toHaveLength(2);
  const one = (await client.callTool({
    name: "get_identity",
    arguments: { identityId: items[0]!.id },
  })) as CallToolResult;
  expect((one.structuredContent as { identity: { name: string } }).identity.name).toBe(items[0]!.name);
}

describe("HTTP transport, session mode", () => {
  it("lists and calls tools, one session per client, and DELETE /mcp ends it", async () => {
    h = await startHttpHarness();
    expect(h.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    await listAndCall(h);
    const { client, transport } = await h.connect();
    expect(h.serving.sessions).toBe(2);
    const id = transport.sessionId!;
    await transport.terminateSession();
    expect(h.serving.sessions).toBe(1);
    const after = await rawRequest(h.url, {
      headers: { "mcp-session-id": id, "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
    });
    expect(after.status).toBe(404);
    expect(JSON.parse(after.body).error.message).toMatch(/Session not found/);
    await client.close();
  });

  it("answers 503 past the session cap, and frees the slot when a session ends", async () => {
    h = await startHttpHarness(["--max-sessions", "1"]);
    const first = await h.connect();
    const refused = await h.connect().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StreamableHTTPError);
    expect((refused as StreamableHTTPError).code).toBe(503);
    await first.transport.terminateSession();
    const again = await h.connect();
    expect((await again.client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it("expires idle sessions", async () => {
    // The idle timer is held until the test lets it pass: a loaded machine's pauses between requests cannot end it.
    const idle = holdDeadlines(300, "closeIdle");
    let sessionId: string;
    try {
      h = await startHttpHarness(["--session-idle-timeout", "0.3"]);
      const { client, transport } = await h.connect();
      await client.listTools();
      expect(h.serving.sessions).toBe(1);
      expect(idle.held).toBe(1);
      // Closed by the idle timer, not by anything the client does.
      idle.pass();
      await until(() => h!.serving.sessions === 0, "the idle session closed");
      sessionId = transport.sessionId!;
    } finally {
      idle.restore();
    }
    const late = await rawRequest(h.url, {
      headers: { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 9, method: "tools/list" }),
    });
    expect(late.status).toBe(404);
  });

  it("refuses requests without a session id that are not initialize", async () => {
    h = await startHttpHarness();
    const res = await rawRequest(h.url, { body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) });
    expect(res.status).toBe(400);
    expect(res.body).toMatch(/initialize/);
  });
});

describe("HTTP transport, stateless mode", () => {
  it("lists and calls tools with a fresh server per request and keeps no session", async () => {
    h = await startHttpHarness(["--stateless", "--single-replica"], KEY);
    await listAndCall(h);
    expect(h.serving.sessions).toBe(0);
    const get = await rawRequest(h.url, { method: "GET", headers: { accept: "text/event-stream" } });
    expect(get.status).toBe(405);
  });
});

describe("HTTP transport security", () => {
  it("answers /healthz without touching ISC", async () => {
    h = await startHttpHarness([], { ISC_MCP_HTTP_TOKEN: "t0ken-for-tests" });
    h.sandbox.clearRequests();
    const res = await rawRequest(h.url.replace(/\/mcp$/, "/healthz"), { method: "GET" });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ status: "ok", name: "isc-identities-mcp" });
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it("refuses a foreign Host whatever the port (DNS rebinding)", async () => {
    h = await startHttpHarness();
    const port = new URL(h.url).port;
    for (const host of [`evil.example:${port}`, "evil.example", `localhost.evil.example:${port}`]) {
      const res = await rawRequest(h.url, { headers: { host }, body: INITIALIZE });
      expect(res.status, host).toBe(403);
      expect(JSON.parse(res.body).error.message).toMatch(/Host .* is not allowed/);
    }
    expect((await rawRequest(h.url, { headers: { host: `localhost:${port}` }, body: INITIALIZE })).status).toBe(200);
  });

  it("admits a listed host name", async () => {
    h = await startHttpHarness(["--allowed-hosts", "mcp.internal.example"]);
    expect((await rawRequest(h.url, { headers: { host: "mcp.internal.example" }, body: INITIALIZE })).status).toBe(200);
  });

  it("refuses a foreign Origin through the SDK client, and admits a loopback one", async () => {
    h = await startHttpHarness();
    const refused = await h.connect({ headers: { Origin: "https://evil.example" } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StreamableHTTPError);
    expect((refused as StreamableHTTPError).code).toBe(403);
    const port = new URL(h.url).port;
    const { client } = await h.connect({ headers: { Origin: `http://localhost:${port}` } });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it("needs the bearer token when one is configured (401 without, 401 wrong, works right)", async () => {
    h = await startHttpHarness([], { ISC_MCP_HTTP_TOKEN: "t0ken-for-tests" });
    const missing = await h.connect().catch((e: unknown) => e);
    expect((missing as StreamableHTTPError).code).toBe(401);
    const wrong = await rawRequest(h.url, { headers: { authorization: "Bearer nope" }, body: INITIALIZE });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toMatch(/^Bearer/);
    await listAndCall(h, { Authorization: "Bearer t0ken-for-tests" });
  });

  it("refuses an oversized body with 413, declared or streamed", async () => {
    h = await startHttpHarness(["--max-body", "2048"]);
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { pad: "x".repeat(10_000) } });
    const declared = await rawRequest(h.url, { body: big });
    expect(declared.status).toBe(413);
    const streamed = await rawRequest(h.url, { headers: { "transfer-encoding": "chunked" }, body: big });
    expect(streamed.status).toBe(413);
    const { client } = await h.connect();
    const tooBig = await client
      .callTool({ name: "list_identities", arguments: { filters: `name eq "${"y".repeat(4000)}"` } })
      .catch((e: unknown) => e);
    expect(String(tooBig)).toMatch(/413|larger than 2048/);
  });
});

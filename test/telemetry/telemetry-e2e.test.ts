// OpenTelemetry end to end: the built server over stdio and HTTP exports to a real OTLP/HTTP receiver on loopback:
// the host's trace continues into a SERVER span, each ISC request is a CLIENT child whose traceparent ISC receives,
// confirmations are spans, the metrics add up after a known sequence, and nothing exported names a person or a secret.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult, ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import {
  serveTenant,
  spawnCli,
  startStdioCli,
  waitForMcpUrl,
  type ServedTenant,
  type StdioCli,
} from "../support/cli-process.js";
import { deletable } from "../support/confirm-e2e.js";
import { MODERN, startModernCli } from "../support/modern-cli.js";
import { otelEnv, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../support/otlp-receiver.js";

/** Each test starts the built server and waits for its exports: on a loaded machine that takes a while. */
const SLOW = 60_000;
const SERVER = 2;
const CLIENT = 3;
/** A host's trace: what its own span would put in params._meta. */
const HOST_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const HOST_SPAN = "00f067aa0ba902b7";
const traceparent = `00-${HOST_TRACE}-${HOST_SPAN}-01`;

let cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function receiver(): Promise<OtlpReceiver> {
  const r = await startOtlpReceiver();
  cleanups.push(() => r.close());
  return r;
}

async function tenant(): Promise<ServedTenant> {
  const t = await serveTenant();
  cleanups.push(() => t.served.close());
  return t;
}

/** The sandbox's log of API requests (not token requests), with the headers each arrived with. */
const apiCalls = (t: ServedTenant) => t.sandbox.requests.filter((r) => !r.path.startsWith("/oauth"));
const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) =>
  spans.filter((s) => s.parentSpanId === parent.spanId && s.traceId === parent.traceId);

/** Anything that calls a tool with `_meta` (the 2025 SDK client, or the v2 one pinned to 2026-07-28). */
interface Caller {
  callTool(params: {
    name: string;
    arguments: Record<string, unknown>;
    _meta: Record<string, string>;
  }): Promise<unknown>;
}

/**
 * Reads an identity with the host's trace in `_meta` and returns the SERVER span the read became: it continues the
 * host's trace, with these attributes.
 */
async function readWithHostTrace(
  r: OtlpReceiver,
  t: ServedTenant,
  client: Caller,
  attributes: Record<string, unknown>,
  meta: Record<string, string> = {},
): Promise<{ server: ReceivedSpan; plain: string }> {
  const { plain } = pickFixtures(t.sandbox.state);
  const res = (await client.callTool({
    name: "get_identity",
    arguments: { identityId: plain },
    _meta: { traceparent, ...meta },
  })) as CallToolResult;
  expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
  const server = await r.until(() => r.spans().find((s) => s.kind === SERVER && s.name === "tools/call get_identity"));
  expect(server.traceId).toBe(HOST_TRACE);
  expect(server.parentSpanId).toBe(HOST_SPAN);
  expect(server.attributes).toMatchObject(attributes);
  return { server, plain };
}

/** Once the connection has ended: one session's duration, with this protocol version and transport. */
async function expectOneSession(r: OtlpReceiver, version: string, transport: "pipe" | "tcp"): Promise<void> {
  const sessions = await r.until(() => r.metric("mcp.server.session.duration"));
  expect(sessions.map((p) => [p.attributes, p.count])).toEqual([
    [{ "mcp.protocol.version": version, "network.transport": transport }, 1],
  ]);
}

describe("telemetry over stdio (a 2025 client that shows forms)", () => {
  async function start(
    r: OtlpReceiver,
    t: ServedTenant,
    answer: (name: string) => ElicitResult | Promise<ElicitResult>,
  ): Promise<StdioCli> {
    let expected = "";
    const cli = await startStdioCli(
      [],
      { ...t.env, ...otelEnv(r), ISC_MCP_CONFIRM: "strict", ISC_MCP_CONFIRM_VIA: "form" },
      undefined,
      {
        capabilities: { elicitation: { form: {} } },
        onElicit: () => answer(expected),
      },
    );
    cleanups.push(() => cli.client.close());
    setName = (name) => (expected = name);
    return cli;
  }
  let setName: (name: string) => void = () => {};

  it(
    "a tools/call carrying _meta.traceparent continues the host's trace: a SERVER span by the conventions, a CLIENT child per ISC request, and ISC gets the same trace id",
    async () => {
      const r = await receiver();
      const t = await tenant();
      const { client } = await start(r, t, () => ({ action: "cancel" }));
      const { server, plain } = await readWithHostTrace(r, t, client, {
        "mcp.method.name": "tools/call",
        "gen_ai.tool.name": "get_identity",
        "gen_ai.operation.name": "execute_tool",
        "mcp.protocol.version": "2025-11-25",
        "network.transport": "pipe",
      });
      expect(typeof server.attributes["jsonrpc.request.id"]).toBe("string");
      expect(server.attributes["error.type"]).toBeUndefined();

      const calls = apiCalls(t);
      expect(calls.length).toBeGreaterThan(0);
      const isc = await r.until(() =>
        childrenOf(r.spans(), server).filter((s) => s.kind === CLIENT && s.name.startsWith("GET ")).length >=
        calls.length
          ? childrenOf(r.spans(), server).filter((s) => s.kind === CLIENT && s.name.startsWith("GET "))
          : undefined,
      );
      expect(isc.map((s) => s.name)).toContain("GET /v2025/identities/{id}");
      const get = isc.find((s) => s.name === "GET /v2025/identities/{id}")!;
      expect(get.attributes).toMatchObject({
        "http.request.method": "GET",
        "url.template": "/v2025/identities/{id}",
        "http.response.status_code": 200,
        "server.address": "127.0.0.1",
      });
      // The route template, never the id itself: nowhere in a span's name or attributes.
      for (const s of isc) expect(JSON.stringify([s.name, s.attributes])).not.toContain(plain);

      // Every API request ISC received carried a traceparent of this trace, naming the CLIENT span that sent it.
      for (const call of calls) {
        const [, traceId, parentId] =
          /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(call.headers.traceparent ?? "") ?? [];
        expect(traceId, `${call.method} ${call.path}: ${call.headers.traceparent}`).toBe(HOST_TRACE);
        expect(isc.map((s) => s.spanId)).toContain(parentId);
      }

      // The stdio connection is the session: its end (the host closes stdin) is its duration, exported before the exit.
      await client.close();
      await expectOneSession(r, "2025-11-25", "pipe");
    },
    SLOW,
  );

  it(
    "2 reads (one meeting a 429), 1 declined and 1 confirmed delete: confirmation spans with channel and outcome, and metrics with those values; nothing exported names a person or holds a secret",
    async () => {
      const r = await receiver();
      const t = await tenant();
      let answer: (name: string) => ElicitResult | Promise<ElicitResult> = () => ({ action: "decline" });
      const { client } = await start(r, t, (name) => answer(name));
      const { plain } = pickFixtures(t.sandbox.state);
      const [victim] = deletable(t.sandbox.state, 1);
      const person = t.sandbox.state.identities.get(victim!)!;
      const reader = t.sandbox.state.identities.get(plain)!;
      setName(person.name);

      // Read 1, then read 2 meets one 429 (Retry-After 0) that the client waits out.
      expect(
        ((await client.callTool({ name: "get_identity", arguments: { identityId: plain } })) as CallToolResult).isError,
      ).toBeFalsy();
      t.sandbox.inject({ path: /^\/v2025\/identities\/[^/]+$/, status: 429, retryAfter: 0, count: 1 });
      expect(
        ((await client.callTool({ name: "get_identity", arguments: { identityId: plain } })) as CallToolResult).isError,
      ).toBeFalsy();
      // The human declines the first delete and confirms the second.
      const declined = (await client.callTool({
        name: "delete_identity",
        arguments: { identityId: victim },
      })) as CallToolResult;
      expect(declined.isError).toBe(true);
      // The human answers only once the pending gauge has shown the call waiting for them.
      const pending = () => r.metric("isc_mcp.confirmations.pending")?.[0]?.value;
      let pendingWhileAsked: number | undefined;
      answer = async (name) => {
        pendingWhileAsked = await r.until(() => pending() === 1 && 1);
        return { action: "accept", content: { name } };
      };
      const confirmed = (await client.callTool({
        name: "delete_identity",
        arguments: { identityId: victim },
      })) as CallToolResult;
      expect(pendingWhileAsked).toBe(1);
      expect(confirmed.isError, JSON.stringify(confirmed.content)).toBeFalsy();
      expect(t.sandbox.state.identities.has(victim!)).toBe(false);

      // Confirmation spans: one per delete, inside its tools/call span.
      const confirms = await r.until(() => {
        const found = r.spans().filter((s) => s.name === "confirm delete_identity");
        return found.length === 2 ? found : undefined;
      });
      const byOutcome = Object.fromEntries(confirms.map((s) => [s.attributes["isc_mcp.confirmation.outcome"], s]));
      expect(Object.keys(byOutcome).sort()).toEqual(["confirmed", "declined"]);
      for (const s of confirms) {
        expect(s.attributes).toMatchObject({
          "gen_ai.tool.name": "delete_identity",
          "isc_mcp.confirmation.channel": "form",
          "isc_mcp.target.ids": [victim],
        });
        expect(typeof s.attributes["isc_mcp.confirmation.wait_ms"]).toBe("number");
        const parent = r.spans().find((p) => p.spanId === s.parentSpanId);
        expect(parent?.name).toBe("tools/call delete_identity");
      }

      // The metrics, once an export holds all of it (cumulative totals).
      const points = (name: string) => r.metric(name) ?? [];
      const count = (name: string, attrs: Record<string, unknown>) =>
        points(name)
          .filter((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v))
          .reduce((n, p) => n + (p.count ?? p.value ?? 0), 0);
      await r.until(
        () =>
          count("isc_mcp.confirmations", {}) === 2 &&
          count("mcp.server.operation.duration", { "mcp.method.name": "tools/call" }) === 4,
      );
      expect(count("mcp.server.operation.duration", { "gen_ai.tool.name": "get_identity" })).toBe(2);
      expect(count("mcp.server.operation.duration", { "gen_ai.tool.name": "delete_identity" })).toBe(2);
      // The declined delete is a tool error by the conventions.
      expect(
        count("mcp.server.operation.duration", { "gen_ai.tool.name": "delete_identity", "error.type": "tool_error" }),
      ).toBe(1);
      expect(
        count("isc_mcp.confirmations", {
          "gen_ai.tool.name": "delete_identity",
          "isc_mcp.confirmation.channel": "form",
          "isc_mcp.confirmation.outcome": "declined",
        }),
      ).toBe(1);
      expect(
        count("isc_mcp.confirmations", {
          "gen_ai.tool.name": "delete_identity",
          "isc_mcp.confirmation.channel": "form",
          "isc_mcp.confirmation.outcome": "confirmed",
        }),
      ).toBe(1);
      expect(count("isc_mcp.confirmation.duration", { "isc_mcp.confirmation.outcome": "confirmed" })).toBe(1);
      expect(
        count("isc_mcp.isc.rate_limited", { "url.template": "/v2025/identities/{id}", "http.request.method": "GET" }),
      ).toBe(1);
      expect(
        count("http.client.request.duration", {
          "url.template": "/v2025/identities/{id}",
          "http.response.status_code": 429,
        }),
      ).toBe(1);
      expect(
        count("http.client.request.duration", {
          "http.request.method": "DELETE",
          "url.template": "/v2025/identities/{id}",
        }),
      ).toBe(1);
      expect(count("isc_mcp.isc.token.refreshes", { "isc_mcp.outcome": "ok" })).toBe(1);
      expect(count("isc_mcp.isc.rate_budget.wait", {})).toBeGreaterThan(0);
      await r.until(() => pending() === 0);

      // Nothing exported names a person (the one deleted, the one read), nor holds a token, the client secret or an id as a metric label.
      const everything = r.bodies().join("\n");
      const token = /^Bearer (.+)$/.exec(apiCalls(t)[0]!.headers.authorization ?? "")?.[1];
      expect(token).toBeDefined();
      expect(person.emailAddress, "the deleted person has an email to look for").toBeTruthy();
      for (const secret of [
        person.name,
        person.emailAddress,
        reader.name,
        reader.emailAddress,
        token,
        t.sandbox.clientSecret,
      ].filter((v): v is string => Boolean(v))) {
        expect(everything).not.toContain(secret);
      }
      const metricBodies = r
        .requests()
        .map((q, i) => (q.path === "/v1/metrics" ? r.bodies()[i] : ""))
        .join("\n");
      expect(metricBodies).not.toContain(victim);
      expect(metricBodies).not.toContain(plain);
      // Ids appear in spans only where the audit line has them: the confirmation's target.
      for (const s of r.spans().filter((x) => !x.name.startsWith("confirm ")))
        expect(JSON.stringify([s.name, s.attributes])).not.toMatch(new RegExp(`${victim}|${plain}`));
    },
    SLOW,
  );
});

describe("telemetry of a 2026-era request", () => {
  it(
    "continues the trace a 2026-07-28 host puts in params._meta (SEP-414), with that protocol version on the span",
    async () => {
      const r = await receiver();
      const t = await tenant();
      const { client } = await startModernCli([], { ...t.env, ...otelEnv(r), ISC_MCP_CONFIRM: "strict" });
      cleanups.push(() => client.close());
      const { plain } = await readWithHostTrace(
        r,
        t,
        client as unknown as Caller,
        { "mcp.protocol.version": MODERN },
        { tracestate: "vendor=abc" },
      );
      const sent = apiCalls(t).find((c) => c.method === "GET" && c.path === `/v2025/identities/${plain}`);
      expect(sent?.headers.traceparent).toMatch(new RegExp(`^00-${HOST_TRACE}-[0-9a-f]{16}-01$`));
      // The host's tracestate goes on with its trace.
      expect(sent?.headers.tracestate).toBe("vendor=abc");
    },
    SLOW,
  );
});

describe("telemetry of a confirmation answered in a later request", () => {
  it(
    "a code (--confirm auto, a client without elicitation): the span of the call that spends it links to the one that issued it, and the code is exported nowhere",
    async () => {
      const r = await receiver();
      const t = await tenant();
      const { client } = await startStdioCli([], {
        ...t.env,
        ...otelEnv(r),
        ISC_MCP_CONFIRM: "auto",
        ISC_MCP_CONFIRM_VIA: "code",
      });
      cleanups.push(() => client.close());
      const [victim] = deletable(t.sandbox.state, 1);
      const first = (await client.callTool({
        name: "delete_identity",
        arguments: { identityId: victim },
      })) as CallToolResult;
      const code = (first.structuredContent as { confirmationCode?: string }).confirmationCode;
      expect(code, JSON.stringify(first.content)).toBeTruthy();
      const second = (await client.callTool({
        name: "delete_identity",
        arguments: { identityId: victim, confirmationCode: code },
      })) as CallToolResult;
      expect(second.isError, JSON.stringify(second.content)).toBeFalsy();

      const [issued, spent] = await r.until(() => {
        const found = r.spans().filter((s) => s.name === "confirm delete_identity");
        const a = found.find((s) => s.attributes["isc_mcp.confirmation.outcome"] === "code-issued");
        const b = found.find((s) => s.attributes["isc_mcp.confirmation.outcome"] === "confirmed");
        return a && b ? [a, b] : undefined;
      });
      expect(issued.attributes["isc_mcp.confirmation.channel"]).toBe("code");
      expect(spent.attributes["isc_mcp.confirmation.channel"]).toBe("code");
      // Two tool calls, two traces: the link is what ties the answer to the question.
      expect(spent.traceId).not.toBe(issued.traceId);
      expect(spent.links).toEqual([
        { traceId: issued.traceId, spanId: issued.spanId, attributes: { "isc_mcp.link": "asked-in-earlier-request" } },
      ]);
      await r.until(() => (r.metric("isc_mcp.confirmations") ?? []).length >= 2);
      expect(r.bodies().join("\n")).not.toContain(code!);
    },
    SLOW,
  );
});

describe("telemetry over HTTP", () => {
  it(
    "the trace continues from _meta.traceparent, the span carries a digest of the session id (never the id), and ISC gets the trace",
    async () => {
      const r = await receiver();
      const t = await tenant();
      const cli = spawnCli(["--http", "--port", "0"], { ...t.env, ...otelEnv(r), ISC_MCP_CONFIRM: "strict" });
      cleanups.push(() => cli.child.kill("SIGTERM"));
      const url = await waitForMcpUrl(cli);
      const transport = new StreamableHTTPClientTransport(new URL(url));
      const client = new Client({ name: "telemetry-http", version: "1.0.0" });
      await client.connect(transport);
      cleanups.push(() => client.close());
      const { server, plain } = await readWithHostTrace(r, t, client, {
        "mcp.method.name": "tools/call",
        "gen_ai.tool.name": "get_identity",
        "network.transport": "tcp",
      });
      expect(server.attributes["mcp.session.id"]).toMatch(/^[0-9a-f]{16}$/);
      expect(transport.sessionId).toBeDefined();
      expect(r.bodies().join("\n")).not.toContain(transport.sessionId!);
      const get = await r.until(() =>
        childrenOf(r.spans(), server).find((s) => s.kind === CLIENT && s.name === "GET /v2025/identities/{id}"),
      );
      const sent = apiCalls(t).find((c) => c.method === "GET" && c.path === `/v2025/identities/${plain}`);
      expect(sent?.headers.traceparent).toBe(`00-${HOST_TRACE}-${get.spanId}-01`);
      // Ending the session (DELETE /mcp) ends its duration: one session, over TCP.
      expect(r.metric("mcp.server.session.duration")).toBeUndefined();
      await transport.terminateSession();
      await expectOneSession(r, "2025-11-25", "tcp");
    },
    SLOW,
  );
});

/** GET on the server's listener with the headers given (Host included, which fetch would not let a test set). */
function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["content-type"], body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("Prometheus text on the HTTP listener (--prometheus)", () => {
  const TOKEN = "prometheus-test-token-0123456789";

  it(
    "serves the metrics at /metrics under /mcp's Host and token rules, with no OTEL_* variable set; without the flag there is no /metrics",
    async () => {
      const t = await tenant();
      const cli = spawnCli(["--http", "--port", "0", "--prometheus"], {
        ...t.env,
        ISC_MCP_HTTP_TOKEN: TOKEN,
        ISC_MCP_CONFIRM: "strict",
      });
      cleanups.push(() => cli.child.kill("SIGTERM"));
      const url = await waitForMcpUrl(cli);
      const client = new Client({ name: "telemetry-prometheus", version: "1.0.0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), {
          requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
        }),
      );
      cleanups.push(() => client.close());
      const { plain } = pickFixtures(t.sandbox.state);
      expect(
        ((await client.callTool({ name: "get_identity", arguments: { identityId: plain } })) as CallToolResult).isError,
      ).toBeFalsy();

      const metrics = new URL("/metrics", url).href;
      const host = new URL(url).host;
      expect((await get(metrics, { host })).status).toBe(401);
      expect((await get(metrics, { host: "evil.example", authorization: `Bearer ${TOKEN}` })).status).toBe(403);
      const ok = await get(metrics, { host, authorization: `Bearer ${TOKEN}` });
      expect(ok.status).toBe(200);
      expect(ok.type).toMatch(/^text\/plain/);
      expect(ok.body).toMatch(/^mcp_server_operation_duration_count\{[^}]*gen_ai_tool_name="get_identity"[^}]*\} 1$/m);
      expect(ok.body).toMatch(
        /^http_client_request_duration_count\{[^}]*url_template="\/v2025\/identities\/\{id\}"[^}]*\} 1$/m,
      );
      expect(ok.body).toMatch(/^isc_mcp_isc_token_refreshes_total\{[^}]*isc_mcp_outcome="ok"[^}]*\} 1$/m);
      expect(ok.body).not.toContain(plain);
      expect(cli.stderr()).toContain("OpenTelemetry on: Prometheus text at /metrics");

      const plainCli = spawnCli(["--http", "--port", "0"], { ...t.env, ISC_MCP_HTTP_TOKEN: TOKEN });
      cleanups.push(() => plainCli.child.kill("SIGTERM"));
      const other = await waitForMcpUrl(plainCli);
      expect(
        (await get(new URL("/metrics", other).href, { host: new URL(other).host, authorization: `Bearer ${TOKEN}` }))
          .status,
      ).toBe(404);
      expect(plainCli.stderr()).not.toContain("OpenTelemetry");
    },
    SLOW,
  );
});

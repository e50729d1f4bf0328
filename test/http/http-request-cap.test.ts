// --max-requests: requests answered per request are capped per process (503, Retry-After, the cap named, before the body is parsed); a 2025 session's traffic never counts, and no slot leaks.
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";
import { pickFixtures } from "../../src/sandbox/index.js";
import {
  modernRequest as modern,
  rpcMessage as message,
  startHttpHarness,
  type HttpHarness,
} from "../support/http-harness.js";
import { TEST_ENV } from "../support/test-env.js";
import { until } from "../support/until.js";
import { recordMetrics } from "../support/record-metrics.js";

const KEY = { ISC_MCP_CONFIRM_KEY: "test-confirm-key-0123456789abcdef" };

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One POST to /mcp that a test can abandon half-way (`signal`): the socket is destroyed, as a client that gives up does. */
function post(url: string, body: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        ...(signal ? { signal } : {}),
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A 2025 request with no session, as --stateless serves it. */
const legacy = (method: string, params: Record<string, unknown> = {}) => ({
  headers: { "mcp-protocol-version": "2025-11-25" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
});

/** Holds the next `count` reads of identities at the sandbox until `release()`: ISC answers when the test says. */
function holdReads(h: HttpHarness, count: number): { release: () => void; seen: () => number } {
  let release!: () => void;
  const hold = new Promise<void>((r) => (release = r));
  h.sandbox.clearRequests();
  h.sandbox.inject({ method: "GET", path: /^\/v20\d\d\/identities\/[^/]+$/, hold, count });
  const seen = () => h.sandbox.requests.filter((r) => /^\/v20\d\d\/identities\/[^/]+$/.test(r.path)).length;
  return { release, seen };
}

const getIdentity = (h: HttpHarness) =>
  modern("tools/call", { name: "get_identity", arguments: { identityId: pickFixtures(h.sandbox.state).plain } });

let h: HttpHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("--max-requests", () => {
  it("refuses the request past the cap with 503, Retry-After and the cap named, before parsing its body; serves again once one finishes", async () => {
    h = await startHttpHarness(["--confirm", "strict", "--max-requests", "2"]);
    const reads = holdReads(h, 2);
    const call = getIdentity(h);
    const held = [post(h.url, call.body, call.headers), post(h.url, call.body, call.headers)];
    await until(() => reads.seen() === 2, "both reads reached the sandbox");
    expect(h.serving.inFlight).toBe(2);

    const list = modern("tools/list");
    const refused = await post(h.url, list.body, list.headers);
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe("1");
    expect(message(refused).error).toEqual({
      code: -32000,
      message: "Server busy: 2 requests already in flight (the --max-requests cap); retry after 1 s.",
    });
    // Not JSON at all: a 400 parse error would mean the body was read and parsed before the refusal.
    const garbage = await post(h.url, "{not json", list.headers);
    expect(garbage.status).toBe(503);
    expect(h.logs.filter((l) => l.includes("--max-requests"))).toHaveLength(1);

    reads.release();
    for (const answer of await Promise.all(held)) {
      expect(answer.status).toBe(200);
      const result = message(answer).result as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toHaveProperty("identity.id", pickFixtures(h.sandbox.state).plain);
    }
    await until(() => h!.serving.inFlight === 0, "every slot given back");
    const after = await post(h.url, list.body, list.headers);
    expect(after.status).toBe(200);
    expect((message(after).result?.tools as Array<{ name: string }>).map((t) => t.name)).toContain("get_identity");
  });

  it("gives every slot back: after clients that gave up mid-call, a refusal, a bad body and an oversized one, the count is 0 and a full cap serves again", async () => {
    h = await startHttpHarness(["--confirm", "strict", "--max-requests", "2", "--max-body", "4096"]);
    const reads = holdReads(h, 2);
    const call = getIdentity(h);
    const quitting = new AbortController();
    const gaveUp = [0, 1].map(() => post(h!.url, call.body, call.headers, quitting.signal).catch((e: unknown) => e));
    await until(() => reads.seen() === 2, "both reads reached the sandbox");
    expect(h.serving.inFlight).toBe(2);
    expect((await post(h.url, call.body, call.headers)).status).toBe(503);
    // The sandbox never answers these two: only the clients' going away can free their slots.
    quitting.abort();
    for (const e of await Promise.all(gaveUp)) expect((e as Error).name).toBe("AbortError");
    await until(() => h!.serving.inFlight === 0, "the abandoned requests gave their slots back");

    expect((await post(h.url, "{not json", call.headers)).status).toBe(400);
    expect((await post(h.url, "x".repeat(8192), call.headers)).status).toBe(413);
    await until(() => h!.serving.inFlight === 0, "refused bodies gave their slots back");
    // Both slots free: two calls at once are both answered.
    const again = await Promise.all([post(h.url, call.body, call.headers), post(h.url, call.body, call.headers)]);
    expect(again.map((a) => a.status)).toEqual([200, 200]);
    expect(h.serving.inFlight).toBe(0);
    reads.release();
  });

  it("never counts a 2025 session's requests: a form waiting on a human is answered and acts while 2026 calls fill the cap, and a live session's id does not get a 2026 request past it", async () => {
    h = await startHttpHarness(["--confirm", "strict", "--max-requests", "1"]);
    const id = pickFixtures(h.sandbox.state).plain;
    const name = h.sandbox.state.identities.get(id)!.name;
    let asked!: () => void;
    const formShown = new Promise<void>((r) => (asked = r));
    let answer!: () => void;
    const humanAnswers = new Promise<void>((r) => (answer = r));
    const { client, transport } = await h.connect({
      onElicit: async () => {
        asked();
        await humanAnswers;
        return { action: "accept", content: { name } };
      },
    });
    const deleting = client.callTool({ name: "delete_identity", arguments: { identityId: id } });
    await formShown;

    const reads = holdReads(h, 1);
    const call = getIdentity(h);
    const filling = post(h.url, call.body, call.headers);
    await until(() => reads.seen() === 1, "the 2026 read reached the sandbox");
    expect(h.serving.inFlight).toBe(1);
    const list = modern("tools/list");
    const sneaky = await post(h.url, list.body, { ...list.headers, "mcp-session-id": transport.sessionId! });
    expect(sneaky.status).toBe(503);

    // The session's own calls go on, and the human's answer (a POST on the session) reaches the waiting call.
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("get_identity");
    answer();
    const result = (await deleting) as CallToolResult;
    expect(result.structuredContent).toMatchObject({ status: "executed" });
    expect(h.sandbox.state.identities.has(id)).toBe(false);
    expect(h.serving.inFlight).toBe(1);

    reads.release();
    expect((await filling).status).toBe(200);
    await until(() => h!.serving.inFlight === 0, "the 2026 call gave its slot back");
  });

  it("under --stateless counts 2025 requests too (each is answered per request)", async () => {
    h = await startHttpHarness(["--stateless", "--single-replica", "--confirm", "auto", "--max-requests", "1"], KEY);
    const reads = holdReads(h, 1);
    const call = legacy("tools/call", {
      name: "get_identity",
      arguments: { identityId: pickFixtures(h.sandbox.state).plain },
    });
    const held = post(h.url, call.body, call.headers);
    await until(() => reads.seen() === 1, "the read reached the sandbox");
    const list = legacy("tools/list");
    const refused = await post(h.url, list.body, list.headers);
    expect(refused.status).toBe(503);
    expect(message(refused).error?.message).toMatch(/1 requests already in flight \(the --max-requests cap\)/);
    reads.release();
    expect((await held).status).toBe(200);
    await until(() => h!.serving.inFlight === 0, "the slot given back");
    expect((await post(h.url, list.body, list.headers)).status).toBe(200);
  });

  it("counts each refusal by cap in isc_mcp.http.refused (max-requests, max-sessions)", async () => {
    const metrics = recordMetrics();
    try {
      h = await startHttpHarness(["--confirm", "strict", "--max-requests", "1", "--max-sessions", "1"]);
      const reads = holdReads(h, 1);
      const call = getIdentity(h);
      const held = post(h.url, call.body, call.headers);
      await until(() => reads.seen() === 1, "the read reached the sandbox");
      const list = modern("tools/list");
      for (let i = 0; i < 2; i++) expect((await post(h.url, list.body, list.headers)).status).toBe(503);
      reads.release();
      expect((await held).status).toBe(200);

      const init = legacy("initialize", {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "raw-2025", version: "1" },
      });
      expect((await post(h.url, init.body, init.headers)).status).toBe(200);
      expect((await post(h.url, init.body, init.headers)).status).toBe(503);

      expect(await metrics.refused()).toEqual({ "max-requests": 2, "max-sessions": 1 });
    } finally {
      await metrics.stop();
    }
  });

  it("refuses a cap below 1 at start-up", () => {
    for (const bad of ["0", "2.5"])
      expect(() => resolveConfig(["--sandbox", "--http", `--max-requests=${bad}`], TEST_ENV)).toThrow(
        /--max-requests must be a whole number of at least 1/,
      );
  });
});

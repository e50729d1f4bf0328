// What a dual-era client reads to tell our era, over HTTP with sessions and with --stateless, as the 2026-07-28 spec says (versioning, Streamable HTTP "Backward Compatibility").
import { afterEach, describe, expect, it } from "vitest";
import {
  modernRequest,
  rawRequest,
  rpcMessage as message,
  startHttpHarness,
  type HttpHarness,
} from "../support/http-harness.js";

const MODERN = "2026-07-28";
const KEY = { ISC_MCP_CONFIRM_KEY: "test-confirm-key-0123456789abcdef" };

/** A request in the 2026-07-28 shape naming `version`, with an id of its own (an error must answer it, not null). */
const modern = (method: string, version = MODERN, headers: Record<string, string> = {}) =>
  modernRequest(method, {}, { version, headers, id: 7 });

const MODES = [
  { mode: "sessions", argv: ["--confirm", "strict"], env: {} },
  { mode: "--stateless", argv: ["--stateless", "--single-replica", "--confirm", "strict"], env: KEY },
] as const;

let h: HttpHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.each(MODES)("a dual-era server over HTTP ($mode)", ({ mode, argv, env }) => {
  it("answers a modern request naming a revision it lacks with 400 and UnsupportedProtocolVersionError (-32022) listing 2026-07-28, so the client retries modern instead of falling back", async () => {
    h = await startHttpHarness([...argv], env);
    const res = await rawRequest(h.url, modern("tools/list", "2099-01-01"));
    expect(res.status).toBe(400);
    const { id, error } = message(res);
    expect(id).toBe(7);
    expect(error?.code).toBe(-32022);
    expect(error?.data).toEqual({ supported: [MODERN], requested: "2099-01-01" });
    expect(res.headers["mcp-session-id"]).toBeUndefined();
    expect(h.serving.sessions).toBe(0);
  });

  it("answers a modern request for a method it does not serve with 404 and a JSON-RPC -32601 body, which a legacy 404 would not carry", async () => {
    h = await startHttpHarness([...argv], env);
    const res = await rawRequest(h.url, modern("identities/frobnicate"));
    expect(res.status).toBe(404);
    expect(message(res)).toMatchObject({ id: 7, error: { code: -32601 } });
  });

  it("ignores Mcp-Session-Id and Last-Event-ID on a modern request, and mints or echoes no session id", async () => {
    h = await startHttpHarness([...argv], env);
    const res = await rawRequest(
      h.url,
      modern("tools/list", MODERN, { "mcp-session-id": "made-up-session", "last-event-id": "42" }),
    );
    expect(res.status).toBe(200);
    expect(res.headers["mcp-session-id"]).toBeUndefined();
    expect((message(res).result?.tools as Array<{ name: string }>).map((t) => t.name)).toContain("get_identity");
    expect(h.serving.sessions).toBe(0);
  });

  it("answers a legacy client's initialize with the newest legacy revision it serves (a session id only with sessions), even for a revision it does not know", async () => {
    h = await startHttpHarness([...argv], env);
    for (const asked of ["2025-11-25", "1999-01-01"]) {
      const res = await rawRequest(h.url, {
        headers: { "mcp-protocol-version": "2025-11-25" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: { protocolVersion: asked, capabilities: {}, clientInfo: { name: "legacy", version: "1" } },
        }),
      });
      expect(res.status, asked).toBe(200);
      expect(message(res).result?.protocolVersion, asked).toBe("2025-11-25");
      if (mode === "sessions") expect(res.headers["mcp-session-id"], asked).toMatch(/^[0-9a-f-]{36}$/);
      else expect(res.headers["mcp-session-id"], asked).toBeUndefined();
    }
    expect(h.serving.sessions).toBe(mode === "sessions" ? 2 : 0);
  });
});

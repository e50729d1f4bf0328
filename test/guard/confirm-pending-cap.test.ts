// Caps on open confirmation pages, per MCP session and per process (the built CLI over HTTP, small caps by flag): the refusal says how many and how to finish them; a re-call joins, never refused.
// A 2026-07-28 call has no session: without sign-in only the process cap holds it.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveTenant, spawnCli, waitForMcpUrl, type RawCli, type ServedTenant } from "../support/cli-process.js";
import { textOf } from "../support/confirm-e2e.js";
import { HTTP_URL_PAGES } from "../support/confirm-steps.js";
import { writeRequests } from "../support/guard-helpers.js";
import { answer } from "../support/page-fixtures.js";
import { MODERN } from "../support/modern-harness.js";
import { stopProcess } from "../support/replica.js";

interface Session {
  client: Client;
  /** The page URLs the server asked this client to open, in order. */
  pages: string[];
  reset(identityId: string): Promise<CallToolResult>;
}

const statusOf = (r: CallToolResult) => (r.structuredContent as { status?: string } | undefined)?.status;

/**
 * A tenant and the built CLI serving it over HTTP with the small caps. --confirm-wait 1: each call answers "pending"
 * after a second and its page stays open (for --confirm-ttl, 5 min).
 */
async function startCapped(): Promise<{ tenant: ServedTenant; ids: string[]; cli: RawCli; url: string }> {
  const tenant = await serveTenant({ identities: 20 });
  const cli = spawnCli(
    [...HTTP_URL_PAGES, "--confirm-wait", "1", "--max-pending-per-session", "2", "--max-pending", "3"],
    tenant.env,
  );
  return { tenant, ids: [...tenant.sandbox.state.identities.keys()], cli, url: await waitForMcpUrl(cli) };
}

describe("caps on open confirmation pages (--max-pending-per-session 2, --max-pending 3)", () => {
  let tenant: ServedTenant;
  let cli: RawCli;
  let url: string;
  let ids: string[];
  const sessions: Session[] = [];

  async function session(): Promise<Session> {
    // A client that declares URL elicitation and opens every page; nobody answers them unless the test does.
    const client = new Client({ name: "cap-test", version: "1.0.0" }, { capabilities: { elicitation: { url: {} } } });
    const pages: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
      pages.push(String((req.params as { url?: string }).url));
      return { action: "accept" };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const s = {
      client,
      pages,
      reset: async (identityId: string) =>
        (await client.callTool({ name: "reset_identity", arguments: { identityId } })) as CallToolResult,
    };
    sessions.push(s);
    return s;
  }

  beforeAll(async () => {
    ({ tenant, ids, cli, url } = await startCapped());
  }, 30_000);
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.client.close().catch(() => {})));
    if (cli) await stopProcess(cli);
    await tenant?.served.close();
  });

  it("refuses a session's third page, joins a re-call, and takes a new one once a page is cancelled; past the process cap another session is refused too", async () => {
    const a = await session();
    for (const id of [ids[0]!, ids[1]!]) {
      const r = await a.reset(id);
      expect(statusOf(r), textOf(r)).toBe("confirmation_pending");
    }
    expect(a.pages).toHaveLength(2);

    const third = await a.reset(ids[2]!);
    expect(third.isError).toBe(true);
    expect(textOf(third)).toContain("reset_identity refused: nothing was changed. The identity was not reset.");
    expect(textOf(third)).toContain(
      "Why: this MCP session already has 2 confirmations open, waiting for an answer on their pages, and 2 is the most this server allows (--max-pending-per-session).",
    );
    expect(textOf(third)).toContain(
      "Ask the user to answer or cancel the open confirmations on their pages (each one answered or cancelled frees a place at once), or wait: the first of them expires within 5 min, every one within 5 min.",
    );
    expect(textOf(third)).toContain(
      "A call with the same arguments as an open confirmation is not refused; it waits on that page.",
    );
    expect(a.pages).toHaveLength(2);

    // The same arguments again: the page already open, not a new one, so the cap does not apply.
    const again = await a.reset(ids[0]!);
    expect(statusOf(again), textOf(again)).toBe("confirmation_pending");
    expect(a.pages).toHaveLength(2);

    // The user cancels the first page: its place is free at once.
    expect((await answer(a.pages[0]!, { answer: "cancel" })).status).toBe(200);
    expect(statusOf(await a.reset(ids[2]!))).toBe("confirmation_pending");
    expect(a.pages).toHaveLength(3);

    // Two open in session A; B's first makes three, the process cap.
    const b = await session();
    expect(statusOf(await b.reset(ids[3]!))).toBe("confirmation_pending");
    const over = await b.reset(ids[4]!);
    expect(over.isError).toBe(true);
    expect(textOf(over)).toContain(
      "Why: this server (all sessions together) already has 3 confirmations open, waiting for an answer on their pages, and 3 is the most this server allows (--max-pending).",
    );
    expect(textOf(over)).toMatch(
      /Tell the user to try again later: the first of them expires within [1-5] min, every one within 5 min/,
    );
    // B calling with A's arguments (no sign-in: the same binding) joins A's open page, even at the process cap.
    const joined = await b.reset(ids[1]!);
    expect(statusOf(joined), textOf(joined)).toBe("confirmation_pending");
    expect(b.pages).toHaveLength(1);

    expect(writeRequests(tenant.sandbox)).toEqual([]);
    const audit = cli
      .stderr()
      .split("\n")
      .filter((l) => l.startsWith("{") && l.includes('"tool":"reset_identity"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.filter((l) => l.reason === "too-many-pending")).toHaveLength(2);
  }, 60_000);
});

describe("caps on open confirmation pages for 2026-07-28 calls without sign-in (--max-pending-per-session 2, --max-pending 3)", () => {
  let tenant: ServedTenant;
  let cli: RawCli;
  let client: ModernClient;
  let ids: string[];

  beforeAll(async () => {
    let url: string;
    ({ tenant, ids, cli, url } = await startCapped());
    client = new ModernClient(
      { name: "cap-test-2026", version: "2.0.0" },
      { capabilities: { elicitation: { url: {} } }, versionNegotiation: { mode: { pin: MODERN } } },
    );
    await client.connect(new ModernTransport(new URL(url)));
  }, 30_000);
  afterAll(async () => {
    await client?.close().catch(() => {});
    if (cli) await stopProcess(cli);
    await tenant?.served.close();
  });

  /** Round 1 of a reset, by hand: the page it opened as an input request, or the refusal. */
  const reset = (identityId: string) =>
    client.request(
      { method: "tools/call", params: { name: "reset_identity", arguments: { identityId } } } as never,
      { allowInputRequired: true } as never,
    ) as Promise<CallToolResult & { resultType?: string }>;

  it("no per-session cap (there is no session): one client opens 3 pages, the 4th is refused by the process cap; a re-call still joins", async () => {
    for (const id of ids.slice(0, 3)) {
      const r = await reset(id);
      expect(r.resultType, JSON.stringify(r.content)).toBe("input_required");
    }
    const over = await reset(ids[3]!);
    expect(over.resultType).toBeUndefined();
    expect(over.isError).toBe(true);
    expect(textOf(over)).toContain("reset_identity refused: nothing was changed. The identity was not reset.");
    expect(textOf(over)).toContain(
      "Why: this server (all sessions together) already has 3 confirmations open, waiting for an answer on their pages, and 3 is the most this server allows (--max-pending).",
    );
    // The same arguments as an open page: it waits on that page (--confirm-wait 1) and is pending, not refused.
    const joined = await reset(ids[0]!);
    expect(joined.isError, textOf(joined)).toBeFalsy();
    expect(statusOf(joined), textOf(joined)).toBe("confirmation_pending");

    expect(writeRequests(tenant.sandbox)).toEqual([]);
    const refused = cli
      .stderr()
      .split("\n")
      .filter((l) => l.startsWith("{") && l.includes('"tool":"reset_identity"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.reason === "too-many-pending");
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ era: MODERN, outcome: "refused" });
  }, 60_000);
});

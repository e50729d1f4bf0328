// A 2025 client told its URL confirmation was answered (notifications/elicitation/complete) even when the page is answered after the call that showed it returned, on the guard's own clock.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  ElicitationCompleteNotificationSchema,
  ElicitRequestSchema,
  type CallToolResult,
} from "@modelcontextprotocol/sdk/types.js";
import { afterEach, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";
import { createMemoryStore } from "../../src/guard/store.js";
import { createSandbox } from "../../src/sandbox/index.js";
import { deletable, textOf } from "../support/confirm-e2e.js";
import { writeRequests } from "../support/guard-helpers.js";
import { answer } from "../support/page-fixtures.js";
import { startPagedHttp } from "../support/paged-http.js";
import { virtualClock } from "../support/virtual-clock.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

it("a page answered after its call returned still completes its elicitation, when the guard's clock is not the wall clock", async () => {
  // Held an hour behind the wall clock: every page is live on the guard's clock, and long expired on Date.now's.
  const clock = virtualClock({ start: Date.now() - 3_600_000, manual: true });
  // --confirm-wait 0: the call does not wait on the page; it returns "call again" and the page stays open.
  const { config } = resolveConfig(
    ["--sandbox", "--http", "--port", "0", "--confirm", "strict", "--confirm-via", "url", "--confirm-wait", "0"],
    {},
  );
  const sandbox = createSandbox({ rateLimit: false, identities: 20 });
  const audit = { record: () => {}, close: async () => {} };
  const http = await startPagedHttp(config, sandbox, { store: createMemoryStore(), audit, now: clock.now });
  const client = new Client(
    { name: "url-completion", version: "1.0.0" },
    { capabilities: { elicitation: { url: {} } } },
  );
  close = async () => (await client.close(), await http.close());
  const asked: Array<{ url: string; elicitationId: string }> = [];
  const completed: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    asked.push(req.params as { url: string; elicitationId: string });
    return { action: "accept" };
  });
  client.setNotificationHandler(ElicitationCompleteNotificationSchema, async (n) => {
    completed.push(n.params.elicitationId);
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(http.serving.url)));

  const [first, second] = deletable(sandbox.state, 2) as [string, string];
  for (const identityId of [first, second]) {
    const res = (await client.callTool({ name: "delete_identity", arguments: { identityId } })) as CallToolResult;
    expect(textOf(res)).toContain("confirmation page");
    expect(sandbox.state.deleted).toEqual([]);
  }
  expect(asked).toHaveLength(2);
  // The first page is answered after the second call: its notification was kept while its page lived (guard's clock).
  const page = await answer(asked[0]!.url, {
    answer: "confirm",
    name: sandbox.state.identities.get(first)!.name,
  });
  expect(page.status).toBe(200);
  await expect.poll(() => completed).toEqual([asked[0]!.elicitationId]);
  expect(writeRequests(sandbox)).toEqual([]);
});

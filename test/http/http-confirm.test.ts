// Confirmed destructive calls over HTTP: elicitation within a session, a confirmation code across stateless requests.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { HOSTS, MODERN, type Hosted } from "../support/era-matrix.js";
import { startHttpHarness, type HttpHarness } from "../support/http-harness.js";

let h: HttpHarness | undefined;
let hosted: Hosted | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await hosted?.close();
  hosted = undefined;
});

const exists = (harness: { sandbox: HttpHarness["sandbox"] }, id: string) => harness.sandbox.state.identities.has(id);

/** HTTP hosts whose client can show a form: a 2025 session (sdk 1.32), and a 2026 client (v2, pinned) on the per-request leg. */
const FORM_OVER_HTTP = HOSTS.filter((k) => k.name.startsWith("HTTP") && k.form);

describe.each(FORM_OVER_HTTP)("confirmed destructive calls over HTTP: $name", (host) => {
  it("the human types the name in an elicitation, then the identity is deleted once", async () => {
    let name = "";
    const hh = (hosted = await host.start([], () => ({ action: "accept", content: { name } })));
    const id = pickFixtures(hh.sandbox.state).plain;
    name = hh.sandbox.state.identities.get(id)!.name;
    const result = await hh.call("delete_identity", { identityId: id });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: "executed" });
    expect(hh.asked).toHaveLength(1);
    expect(hh.asked[0]).toContain(name);
    expect(exists(hh, id)).toBe(false);
    expect(hh.sandbox.requests.filter((r) => r.method === "DELETE")).toHaveLength(1);
    expect(hh.audit()).toContainEqual(
      expect.objectContaining({
        tool: "delete_identity",
        targetIds: [id],
        outcome: "executed",
        confirmation: "form",
        era: hh.era,
      }),
    );
  });

  it("a declined elicitation deletes nothing", async () => {
    const hh = (hosted = await host.start([], () => ({ action: "decline" })));
    const id = pickFixtures(hh.sandbox.state).plain;
    const result = await hh.call("delete_identity", { identityId: id });
    expect(result.isError).toBe(true);
    expect(exists(hh, id)).toBe(true);
    expect(hh.sandbox.requests.filter((r) => r.method === "DELETE")).toHaveLength(0);
    expect(hh.audit().at(-1)).toMatchObject({ tool: "delete_identity", outcome: "refused", era: hh.era });
  });
});

describe("confirmed destructive calls over HTTP", () => {
  // A 2025 client on stateless requests, and a 2026 client (v2, pinned) on the per-request leg: neither declares elicitation.
  it.each(["2025", "2026"] as const)(
    "stateless mode, %s client: the first request returns a code, a later request (another server) redeems it once",
    async (era) => {
      h = await startHttpHarness(["--stateless", "--single-replica", "--confirm", "auto"], {
        ISC_MCP_CONFIRM_KEY: "test-confirm-key-0123456789abcdef",
      });
      const id = pickFixtures(h.sandbox.state).plain;
      const client: { callTool(p: { name: string; arguments: Record<string, unknown> }): Promise<unknown> } =
        era === "2025" ? (await h.connect()).client : await h.connectModern();
      const first = (await client.callTool({
        name: "delete_identity",
        arguments: { identityId: id },
      })) as CallToolResult;
      const preview = first.structuredContent as { status: string; confirmationCode?: string };
      expect(preview.status).toBe("confirmation_required");
      expect(preview.confirmationCode).toBeTruthy();
      expect(exists(h, id)).toBe(true);

      const identity = h.sandbox.state.identities.get(id)!;
      const second = (await client.callTool({
        name: "delete_identity",
        arguments: { identityId: id, confirmationCode: preview.confirmationCode },
      })) as CallToolResult;
      expect(second.structuredContent).toMatchObject({ status: "executed" });
      expect(exists(h, id)).toBe(false);

      // Put the very same identity back: a replay must fail because the code is spent, not because the target is gone.
      h.sandbox.state.identities.set(id, identity);
      const replay = (await client.callTool({
        name: "delete_identity",
        arguments: { identityId: id, confirmationCode: preview.confirmationCode },
      })) as CallToolResult;
      expect(replay.isError).toBe(true);
      const text = replay.content[0]?.type === "text" ? replay.content[0].text : "";
      expect(text).toMatch(/already used; each code works once/);
      expect(exists(h, id)).toBe(true);
      expect(h.sandbox.requests.filter((r) => r.method === "DELETE")).toHaveLength(1);
      const lines = h.audit.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => [l.confirmation, l.outcome])).toEqual([
        ["code", "refused"],
        ["code", "executed"],
        ["code", "refused"],
      ]);
      // A stateless 2025 request is answered by a server no initialize reached: the era comes from its protocol header.
      for (const l of lines) expect(l.era).toBe(era === "2026" ? MODERN : "2025-11-25");
    },
  );
});

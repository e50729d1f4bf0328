// Confirmed destructive calls over HTTP: elicitation within a session, a confirmation code across stateless requests.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { startHttpHarness, type HttpHarness } from "../support/http-harness.js";

let h: HttpHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const exists = (harness: HttpHarness, id: string) => harness.sandbox.state.identities.has(id);

describe("confirmed destructive calls over HTTP", () => {
  it("session mode: the human types the name in an elicitation, then the identity is deleted", async () => {
    h = await startHttpHarness();
    const id = pickFixtures(h.sandbox.state).plain;
    const name = h.sandbox.state.identities.get(id)!.name;
    const asked: string[] = [];
    const { client } = await h.connect({
      onElicit: (message) => {
        asked.push(message);
        return { action: "accept", content: { name } };
      },
    });
    const result = (await client.callTool({
      name: "delete_identity",
      arguments: { identityId: id },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: "executed" });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain(name);
    expect(exists(h, id)).toBe(false);
    const entries = h.audit
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).toContainEqual(
      expect.objectContaining({ tool: "delete_identity", targetIds: [id], outcome: "executed", confirmation: "form" }),
    );
  });

  it("session mode: a declined elicitation deletes nothing", async () => {
    h = await startHttpHarness();
    const id = pickFixtures(h.sandbox.state).plain;
    const { client } = await h.connect({ onElicit: () => ({ action: "decline" }) });
    const result = (await client.callTool({
      name: "delete_identity",
      arguments: { identityId: id },
    })) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(exists(h, id)).toBe(true);
  });

  it("stateless mode: the first request returns a code, a later request (another server) redeems it once", async () => {
    h = await startHttpHarness(["--stateless", "--single-replica", "--confirm", "auto"], {
      ISC_MCP_CONFIRM_KEY: "test-confirm-key-0123456789abcdef",
    });
    const id = pickFixtures(h.sandbox.state).plain;
    const { client } = await h.connect();
    const first = (await client.callTool({ name: "delete_identity", arguments: { identityId: id } })) as CallToolResult;
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
  });
});

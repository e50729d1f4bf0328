// A confirmation that ends without a yes leaves the same audit line in both protocol eras: form and URL, declined, cancelled, unanswered.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { deletable, textOf } from "../support/confirm-e2e.js";
import { writeRequests } from "../support/guard-helpers.js";
import { startHttpHarness, type HttpHarness } from "../support/http-harness.js";
import { MODERN } from "../support/modern-harness.js";

type Era = "2025" | "2026";
const ERA_OF: Record<Era, string> = { "2025": "2025-11-25", "2026": MODERN };
type Mode = "form" | "url";
type Answer = { action: "accept" | "decline" | "cancel" };
interface CallOptions {
  signal?: AbortSignal;
  onprogress?: (p: { message?: string }) => void;
}

// Strict, as every test says; an answer sent at once counts as a person's (0), so a decline is "declined", not
// "auto-declined"; the URL channel's page is served on the HTTP listener.
const ARGV = ["--confirm", "strict", "--confirm-fast-answer", "0"];

let h: HttpHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Each era's client over HTTP, declaring only `mode`, its user answering every question with `answer`. */
async function clientOf(
  harness: HttpHarness,
  era: Era,
  mode: Mode,
  answer: () => Answer,
): Promise<(name: string, args: Record<string, unknown>, options?: CallOptions) => Promise<CallToolResult>> {
  const capabilities = { elicitation: { [mode]: {} } };
  if (era === "2025") {
    const { client } = await harness.connect({ capabilities, onElicit: () => answer() });
    return async (name, args, options) =>
      (await client.callTool({ name, arguments: args }, undefined, options)) as CallToolResult;
  }
  // 2026: the client's driver hands the round's input request to this handler, then calls again with its answer.
  const client = await harness.connectModern({ capabilities });
  client.setRequestHandler("elicitation/create", async () => answer() as never);
  return async (name, args, options) =>
    (await client.callTool({ name, arguments: args }, options as never)) as CallToolResult;
}

const deleteLines = (harness: HttpHarness) =>
  harness.audit.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.tool === "delete_identity");

describe.each(["2025", "2026"] as const)("the audit line of a confirmation without a yes, %s client", (era) => {
  it.each([
    { mode: "form", action: "decline", reason: "declined", said: /the user declined the confirmation/ },
    { mode: "form", action: "cancel", reason: "cancelled", said: /the user cancelled the confirmation/ },
    { mode: "url", action: "decline", reason: "declined", said: /the user declined opening the confirmation page/ },
    { mode: "url", action: "cancel", reason: "cancelled", said: /the user cancelled opening the confirmation page/ },
  ] as const)("$mode, the client answers $action: refused, $reason, nothing written", async (c) => {
    h = await startHttpHarness(ARGV, {}, {}, { pages: true });
    const id = deletable(h.sandbox.state, 1)[0]!;
    const call = await clientOf(h, era, c.mode, () => ({ action: c.action }));
    const res = await call("delete_identity", { identityId: id });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(c.said);
    expect(writeRequests(h.sandbox)).toEqual([]);
    expect(deleteLines(h)).toEqual([
      expect.objectContaining({ era: ERA_OF[era], outcome: "refused", reason: c.reason, confirmation: c.mode }),
    ]);
  });

  it("url, the client opens the page and the call is cancelled while it waits: refused, elicitation-failed, nothing written", async () => {
    h = await startHttpHarness(ARGV, {}, {}, { pages: true });
    const id = deletable(h.sandbox.state, 1)[0]!;
    const call = await clientOf(h, era, "url", () => ({ action: "accept" }));
    const cancel = new AbortController();
    // The server says it waits on the page (its first progress of that wait): only then is the call cancelled. A 2025
    // call waits between its rounds (mcp/call-tool.ts), a 2026 one in the round that answers "open this page".
    const res = call(
      "delete_identity",
      { identityId: id },
      {
        signal: cancel.signal,
        onprogress: (p) => {
          if (p.message?.startsWith("Waiting for the user to answer the confirmation page")) cancel.abort();
        },
      },
    );
    await expect(res).rejects.toThrow();
    await expect.poll(() => deleteLines(h!)).toHaveLength(1);
    expect(deleteLines(h)).toEqual([
      expect.objectContaining({
        era: ERA_OF[era],
        outcome: "refused",
        reason: "elicitation-failed",
        confirmation: "url",
      }),
    ]);
    expect(writeRequests(h.sandbox)).toEqual([]);
  });

  it("form, the client answers the question with an error: nothing written; 2025 refused (elicitation-failed), 2026 unheard", async () => {
    h = await startHttpHarness(ARGV, {}, {}, { pages: true });
    const id = deletable(h.sandbox.state, 1)[0]!;
    const call = await clientOf(h, era, "form", () => {
      throw new Error("the host crashed");
    });
    if (era === "2025") {
      // This server asks a 2025 client itself, inside the call: it hears the error and refuses.
      const res = await call("delete_identity", { identityId: id });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/answered the confirmation with an error/);
      expect(deleteLines(h)).toEqual([
        expect.objectContaining({ era: ERA_OF[era], outcome: "refused", reason: "elicitation-failed" }),
      ]);
    } else {
      // A 2026 client's driver fails its own call and never calls again: the server's round ended when it handed the
      // question over, so there is nothing it could hear or record (its requestState expires after --confirm-ttl).
      await expect(call("delete_identity", { identityId: id })).rejects.toThrow(/the host crashed/);
      await call("get_identity", { identityId: id });
      expect(deleteLines(h)).toEqual([]);
    }
    expect(writeRequests(h.sandbox)).toEqual([]);
  });
});

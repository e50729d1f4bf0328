// A 2025-era client's confirmation round, sent by this server (not the SDK's legacy shim), so every end of the question reaches the guard.
import type { InputRequiredResult, Server, ServerContext } from "@modelcontextprotocol/server";
import { unanswered, type GuardCall } from "../guard/index.js";

/**
 * Sends the round's question (`inputRequests.confirm`, an elicitation/create in form or URL mode) on the call's own
 * connection and stream, and gives what came of it as the next round: the client's answer, or why there is none.
 * The SDK's shim would end the tools/call with its own text when the client errs, the deadline passes or the call is
 * cancelled, before the guard heard back: no audit line, no confirmation span. Here the guard hears every end and
 * writes it (nothing acts on any of them). Nothing of the first round is kept but its requestState.
 */
export async function legacyRound(
  server: Server,
  ctx: ServerContext,
  asked: InputRequiredResult,
  key: string,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<NonNullable<GuardCall["round"]>> {
  const state = asked.requestState;
  const question = asked.inputRequests?.[key] as { method: "elicitation/create"; params: Record<string, unknown> };
  try {
    // Not elicitInput: it would check an accepted form's content against the schema and fail the whole answer on a
    // wrong type; the form channel checks it itself and says what was wrong (answer-invalid).
    const response = await server.request(question, {
      relatedRequestId: ctx.mcpReq.id,
      signal,
      // The call's deadline (`signal`) decides; the SDK's own 60-s request timeout must not come first.
      timeout: timeoutMs,
    });
    return { state, response };
  } catch {
    // The client's error text stays out of the result and the audit line: it is the host's, not this server's.
    return { state, response: undefined, failed: unanswered(signal) };
  }
}

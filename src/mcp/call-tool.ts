// One tools/call: validate, bind the call's deadline, then run a read's handler or the guard around a write's plan and act; errors as text.
import {
  inputRequired,
  type CallToolResult,
  type InputRequest,
  type InputRequiredResult,
  type Server,
  type ServerContext,
} from "@modelcontextprotocol/server";
import type { Config } from "../config/resolve.js";
import { startDeadline } from "../core/deadline.js";
import { IscError, ToolFailure } from "../core/errors.js";
import type { InFlight } from "../core/in-flight.js";
import { redact, type Logger } from "../core/log.js";
import { readOnly, writerFor } from "../isc/body.js";
import type { IscClient } from "../isc/client.js";
import { unanswered, type Guard, type GuardCall, type GuardOutcome } from "../guard/index.js";
import type { Actor } from "../guard/index.js";
import type { PendingOwner } from "../guard/page/open-count.js";
import type { ToolDef, ToolOutput } from "./define-tool.js";
import { errorToText } from "./error-text.js";
import { parseArguments } from "./parse-arguments.js";
import { doneUncheckedOutput, waitingOutput } from "./guarded-output.js";
import type { FollowContext } from "./follow-task.js";
import { clientEra } from "./client-era.js";
import { legacyRound } from "./legacy-rounds.js";

export interface CallDeps {
  server: Server;
  config: Config;
  isc: IscClient;
  log: Logger;
  guard: Guard;
  inFlight?: InFlight | undefined;
  /** The signed-in person (HTTP with sign-in), for the audit line. */
  actor?: Actor | undefined;
}

/** The SDK's context of the request being answered (its signal, id, _meta, notify, session). */
type Extra = ServerContext;

export async function callTool(
  tool: ToolDef,
  rawArgs: unknown,
  extra: Extra,
  deps: CallDeps,
): Promise<CallToolResult | InputRequiredResult> {
  // Spec 2025-11-25: invalid arguments are a tool execution error (isError), so the model can correct itself.
  const parsed = parseArguments(tool, rawArgs);
  if (!parsed.ok) return errorResult(parsed.text);
  const ended = deps.inFlight?.start();
  const deadline = startDeadline(
    deps.inFlight ? [extra.mcpReq.signal, deps.inFlight.signal] : extra.mcpReq.signal,
    deps.config.callTimeoutMs,
  );
  const signal = deadline.signal;
  const progressToken = extra.mcpReq._meta?.progressToken;
  // A confirmation's rounds re-run this handler, under one progress token (a 2025 client's, in this call) or a new one per round: each
  // round's values start where the earlier rounds' ended (the guard sets `base` from the round's state).
  const track = { base: 0, highest: 0 };
  const progress = async (value: number, total?: number, message?: string) => {
    if (progressToken === undefined) return;
    const sent = track.base + value;
    if (sent < track.highest) return;
    track.highest = sent;
    await extra.mcpReq.notify({
      method: "notifications/progress",
      params: { progressToken, progress: sent, total: total === undefined ? undefined : track.base + total, message },
    });
  };
  const write = writerFor(deps.isc, signal);
  const read = readOnly(write);
  try {
    let out: ToolOutput<unknown> | InputRequiredResult;
    if (tool.guard) {
      const { confirmationCode, ...args } = parsed.data as Record<string, unknown>;
      // How long the model waits for the result is not part of what a human confirms or a code binds.
      const { waitSeconds: _wait, ...bound } = args;
      const era = clientEra(deps.server, extra);
      const call: GuardCall = {
        tool: tool.name,
        tenant: deps.isc.tenant,
        apiVersion: deps.isc.apiVersion,
        era: era.version,
        args: bound,
        code: typeof confirmationCode === "string" ? confirmationCode : undefined,
        client: era.elicitation,
        host: era.host,
        actor: deps.actor,
        destructive: tool.kind === "destructive",
        read,
        write,
        signal,
        owner: pendingOwner(extra.sessionId, deps),
        deadline: Date.now() + deps.config.callTimeoutMs,
        progress,
        wantsProgress: progressToken !== undefined,
        progressTrack: track,
        modern: era.modern,
        round: roundOf(extra),
        elicitationComplete: completionFor(deps.server),
      };
      let done = await runGuarded(tool, tool.guard, call, deps, args);
      // A 2025 client is asked by this server, round after round (each channel the guard falls through to), on this
      // same request; the guard hears every end (legacy-rounds.ts). A 2026 client is handed the question.
      for (let rounds = 0; !call.modern && "ask" in done; rounds++) {
        if (rounds >= MAX_ROUNDS) throw new Error(`${tool.name}: a confirmation asked more than ${MAX_ROUNDS} rounds`);
        const page = done.ask.mode === "url" ? done.ask.page : undefined;
        const asked = inputRequiredOf(done);
        done = undefined as never; // the preview and the question are not kept while the client (or the person) answers
        call.round = await legacyRound(deps.server, extra, asked, CONFIRM_KEY, signal, deps.config.callTimeoutMs);
        // The client opened the page: the call waits on it here, holding little, and the next round reads the answer.
        if (page !== undefined && accepted(call.round)) {
          await deps.guard.waitOnPage(page, call);
          call.round.waited = true;
          // Ended while the person had the page (cancelled, client gone, shutdown): the next round refuses it as such,
          // not as a target it could not read with an ended signal.
          if (signal.aborted) call.round = { state: call.round.state, response: undefined, failed: unanswered(signal) };
        }
        done = await runGuarded(tool, tool.guard, call, deps, args);
      }
      if ("ask" in done) return inputRequiredOf(done);
      out = done;
    } else if (tool.handler) {
      out = await tool.handler(parsed.data as never, { request: read, progress });
    } else {
      throw new Error(`${tool.name} has neither a handler nor a guard`);
    }
    const structured = tool.outputSchema.parse(out.structured);
    return { content: [{ type: "text", text: redact(out.text) }], structuredContent: structured };
  } catch (err) {
    // ISC's failures and the guard's refusals are answers; anything else is a bug: its stack goes to the log (secrets masked).
    if (!(err instanceof IscError) && !(err instanceof ToolFailure))
      deps.log.error(
        `tool ${tool.name} failed (a bug): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    return errorResult(errorToText(err, tool));
  } finally {
    deadline.clear();
    ended?.();
  }
}

/**
 * Whose open confirmation pages a call's new one counts toward: the signed-in person (whichever of their sessions
 * asks), else the MCP session; over stdio the process serves one session. A stateless call without sign-in has none.
 */
function pendingOwner(sessionId: string | undefined, deps: CallDeps): PendingOwner | undefined {
  if (deps.actor) return { key: `person:${deps.actor.sub}`, kind: "person" };
  if (sessionId !== undefined) return { key: `session:${sessionId}`, kind: "session" };
  return deps.config.http ? undefined : { key: "stdio", kind: "session" };
}

/** A round that answers an earlier round's question: the state it echoed and the client's answer; else undefined. */
function roundOf(extra: Extra): GuardCall["round"] {
  const state = extra.mcpReq.requestState();
  if (state === undefined) return undefined;
  return { state, response: extra.mcpReq.inputResponses?.[CONFIRM_KEY] };
}

/** More rounds than channels: a bug, not a confirmation (form, URL page and browser page are three). */
const MAX_ROUNDS = 8;

/** The key of the one input request a confirmation makes (`inputRequests.confirm`, answered in `inputResponses.confirm`). */
const CONFIRM_KEY = "confirm";

/** The guard's question as the SDK's input request: the form, or the confirmation page (URL mode). */
function inputRequestOf(ask: Extract<GuardOutcome<unknown>, { status: "input_required" }>["ask"]): InputRequest {
  if (ask.mode === "form")
    return inputRequired.elicit({ message: ask.message, requestedSchema: ask.requestedSchema as never });
  if (ask.elicitationId === undefined) return inputRequired.elicitUrl({ message: ask.message, url: ask.url });
  // 2025 era: our own elicitationId (sent as is by legacy-rounds.ts), so the completion notification names it.
  return {
    method: "elicitation/create",
    params: { mode: "url", message: ask.message, url: ask.url, elicitationId: ask.elicitationId },
  };
}

type Asked = Extract<GuardOutcome<unknown>, { status: "input_required" }>;

/** The guard's question as the SDK's input-required result, with the round's requestState. */
function inputRequiredOf(asked: Asked): InputRequiredResult {
  return inputRequired({
    inputRequests: { [CONFIRM_KEY]: inputRequestOf(asked.ask) },
    requestState: asked.requestState,
  });
}

/** The client's answer to a URL question says it opened the page (not that the person confirmed). */
const accepted = (round: NonNullable<GuardCall["round"]>) =>
  round.failed === undefined && (round.response as { action?: unknown } | undefined)?.action === "accept";

async function runGuarded(
  tool: ToolDef,
  def: NonNullable<ToolDef["guard"]>,
  call: GuardCall,
  deps: CallDeps,
  fullArgs: Record<string, unknown>,
): Promise<ToolOutput<unknown> | Asked> {
  const args = fullArgs as never;
  const plan = def.plan(args);
  let outcome;
  try {
    outcome = await deps.guard.run(call, plan, (isc) => def.act(args, isc));
  } catch (err) {
    if (!(err instanceof IscError)) throw err;
    // The tool's own words first (e.g. a delete ISC refused); else the usual text, naming how to check this call's targets.
    throw new ToolFailure(def.explain?.(err, args) ?? errorToText(err, { ...tool, verify: plan.verify }));
  }
  switch (outcome.status) {
    case "input_required":
      return outcome;
    case "confirmation_required":
    case "confirmation_pending":
      return waitingOutput(tool.name, deps.config.confirmTtlSeconds, outcome);
    case "executed_unread":
      return doneUncheckedOutput(tool.name, plan, outcome.problem);
    case "executed":
      try {
        const follow: FollowContext = {
          get: async (path, signal) => (await deps.isc.request("GET", path, { signal })).data,
          progress: call.progress,
          signal: call.signal,
          deadlineAt: call.deadline,
          clock: deps.isc.clock,
        };
        const { fields, text } = await def.render({ args, value: outcome.value, preview: outcome.preview }, follow);
        const structured = { status: "executed", ...(fields as Record<string, unknown>) };
        // Checked here, not after: past this point the write has happened and must never read as a failure.
        tool.outputSchema.parse(structured);
        return { structured, text };
      } catch (err) {
        deps.log.error(
          `tool ${tool.name} acted, but its result could not be rendered: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        return doneUncheckedOutput(tool.name, plan, "this server could not render it");
      }
  }
}

function errorResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

/** One completion sender per server, not a closure per call (a waiting call holds its GuardCall for minutes). */
const completions = new WeakMap<Server, (elicitationId: string) => Promise<void>>();
function completionFor(server: Server): (elicitationId: string) => Promise<void> {
  let send = completions.get(server);
  if (!send) {
    send = (elicitationId) => server.createElicitationCompletionNotifier(elicitationId)();
    completions.set(server, send);
  }
  return send;
}

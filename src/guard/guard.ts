// The one decision flow of every write: mass window, cooldown, preview, a human's confirmation (channel after channel), re-check, act, audit.
import { randomBytes } from "node:crypto";
import type { Actor } from "./actor.js";
import type { AuditEntry, AuditLog } from "./audit.js";
import type { Config } from "../config/resolve.js";
import { IscError, Refusal, StoreUnavailable, type RefusalReason } from "../core/errors.js";
import { registerSecret, type Logger } from "../core/log.js";
import type { IscRead, IscWrite } from "../isc/body.js";
import { createCodeBook } from "./codes.js";
import {
  askInTurn,
  createChannels,
  type Binding,
  type ChannelCall,
  type ChannelFacts,
  type InputAsk,
  PREVIEW_PROGRESS,
} from "./channels/index.js";
import { waitOnPage } from "./channels/page-flow.js";
import { URL_WHERE } from "./channels/url.js";
import { createHostWatch, type HostInfo } from "./host-watch.js";
import { browserOpener, type BrowserOpener } from "./page/opener.js";
import type { ConfirmationPages } from "./page/pages.js";
import type { ActResult, ConfirmBy, GuardPlan, PreviewSpec } from "./plan.js";
import { currentFingerprint, readPreview, type Preview } from "./preview.js";
import { refusal } from "./refusal.js";
import { createRoundStates, resumeOf, staleRound } from "./round-state.js";
import {
  askedInNextRound,
  confirmationRecorded,
  humanAnswered,
  resumeAsking,
  type Asking,
} from "./confirmation-telemetry.js";
import { PROCESS_STORE, type GuardStore } from "./store.js";
import { UNANSWERED_NEXT } from "./unanswered.js";

/** One tool call as the guard sees it; the MCP layer builds it. */
export interface GuardCall extends ChannelCall {
  tool: string;
  tenant: string;
  apiVersion: string;
  /** The MCP protocol version of the request (for the audit line); absent when the client never said. */
  era?: string | undefined;
  /** Validated arguments without `confirmationCode`: what a confirmation is bound to. */
  args: Record<string, unknown>;
  /** The confirmationCode the model sent, if any. */
  code: string | undefined;
  /** The elicitation this client can receive on this call (what it declared, in the era it speaks). */
  client: ChannelFacts["client"];
  /** The client's name and version from initialize, for the log line about a client that declines confirmations unseen. */
  host?: HostInfo | undefined;
  /** The signed-in person who made the call (HTTP with sign-in only), for the audit line. */
  actor?: Actor | undefined;
  /**
   * This request answers a question an earlier round of the call asked (an input request): the `requestState` it
   * echoed (untrusted until verified) and the client's bare answer (`inputResponses.confirm`).
   */
  round?:
    | {
        state: unknown;
        response: unknown;
        /**
         * Set by this server, never from the client: the question never got an answer (the client answered with an
         * error, the deadline passed, the call was cancelled): why. The round is refused once its state is spent.
         */
        failed?: string | undefined;
        /** Set by this server: the call already waited on the page this round's URL question opened (`waitOnPage`). */
        waited?: boolean | undefined;
      }
    | undefined;
  /** Progress across rounds: values sent are `base` + the round's own; `highest` is the largest sent (see call-tool). */
  progressTrack?: { base: number; highest: number } | undefined;
  /** A destructive tool: under --four-eyes only a second, signed-in person may confirm it. */
  destructive?: boolean;
  /** GET only: previews and re-checks. */
  read: IscRead;
  /** Handed to `act` only, after every check passed. */
  write: IscWrite;
}

export type GuardOutcome<V> =
  | { status: "executed"; value: V; preview?: Preview }
  /** ISC accepted (2xx) but its answer did not have the expected shape: done, details unknown. */
  | { status: "executed_unread"; httpStatus: number; problem: string; preview?: Preview }
  | { status: "confirmation_required"; preview: Preview; code: string; expiresAt: number }
  | { status: "confirmation_pending"; preview: Preview; where: string; expiresAt: number }
  /** Ask the client (an input request) and end this round; the call's next round carries the answer and `requestState`. */
  | { status: "input_required"; preview: Preview; ask: InputAsk; requestState: string };

export interface Guard {
  run<V>(call: GuardCall, plan: GuardPlan, act: (isc: IscWrite) => Promise<ActResult<V>>): Promise<GuardOutcome<V>>;
  /** Whether a confirmation can be given at all for a client that declared this (else tools that always confirm are hidden). */
  canConfirm(client: ChannelFacts["client"]): boolean;
  /** The names of the human channels (--confirm-via order) that can reach this client's user: for the start-up line. */
  humanChannels(client: ChannelFacts["client"]): string[];
  /**
   * 2025 era: waits on the confirmation page a URL question opened (its client accepted opening it), until it is
   * answered or gone, --confirm-wait, the call's deadline less a margin, or the call's end; with progress. The caller
   * then runs the next round with `round.waited`. Only this call's page id, signal and progress are held meanwhile.
   */
  waitOnPage(page: string, call: GuardCall): Promise<unknown>;
}

export interface GuardOptions {
  config: Config;
  audit: AuditLog;
  /** HMAC key for codes and bindings. @default config.confirmKey (ISC_MCP_CONFIRM_KEY), else a random key made once per process */
  key?: string;
  /** Clock for expiry, cooldowns and windows (tests inject one). @default Date.now */
  now?: () => number;
  /** @default the process-wide memory store */
  store?: GuardStore;
  /** The confirmation pages of this process (URL elicitation, browser); without them those channels are unavailable. */
  pages?: ConfirmationPages;
  /** @default BROWSER, else the system browser where a desktop exists */
  opener?: BrowserOpener;
  /** The server's log (stderr), for what the operator should know about a client. @default none */
  log?: Logger;
}

const TELL_USER = "Tell the user it was not done.";

/** One random key per process, so every server in it (HTTP sessions, stateless requests) accepts the others' codes. Made on first use. */
let processKey: string | undefined;
function theProcessKey(): string {
  if (processKey === undefined) {
    processKey = randomBytes(32).toString("hex");
    registerSecret(processKey);
  }
  return processKey;
}

export function createGuard(opts: GuardOptions): Guard {
  const given = opts.key ?? opts.config.confirmKey;
  if (given !== undefined) registerSecret(given);
  const key = given ?? theProcessKey;
  const { config } = opts;
  const now = opts.now ?? Date.now;
  const store = opts.store ?? PROCESS_STORE;
  const ttlMs = config.confirmTtlSeconds * 1000;
  const codes = createCodeBook({ key, sharedKey: given !== undefined, ttlMs, now, store });
  const fastAnswerMs = config.confirmFastAnswerSeconds * 1000;
  const rounds = createRoundStates({ key, sharedKey: given !== undefined, ttlMs, now, store, fastAnswerMs });
  const opener = opts.opener ?? browserOpener({ graceMs: config.browserGraceSeconds * 1000 });
  const channels = createChannels(
    { codes, pages: opts.pages, opener, waitMs: config.confirmWaitSeconds * 1000, now },
    config.confirmVia,
  );
  const hosts = createHostWatch(opts.log, config.confirmFastAnswerSeconds);
  const factsFor = (client: ChannelFacts["client"], destructive = false): ChannelFacts => ({
    client,
    transport: config.http ? "http" : "stdio",
    mode: config.confirm,
    config,
    fourEyes: Boolean(config.fourEyes && destructive),
  });

  async function run<V>(
    call: GuardCall,
    plan: GuardPlan,
    act: (isc: IscWrite) => Promise<ActResult<V>>,
  ): Promise<GuardOutcome<V>> {
    const { tool, tenant } = call;
    const facts = factsFor(call.client, call.destructive);
    /** Who said yes: the person a page signed in, or on a form the signed-in person whose client it is. */
    let confirmedBy: Actor | undefined;
    const refuse = (reason: RefusalReason, why: string, next: string, status?: number, trackingId?: string) =>
      refusal(tool, plan.notDone, reason, why, next, status, trackingId);
    let confirmation = "none-needed";
    /** Channels asked before the one named in `confirmation`, and why their answer did not count. */
    let passedOver: AuditEntry["passedOver"];
    /** Set once a channel is asked: the confirmation's telemetry (confirmation-telemetry.ts), ended at the audit line. */
    let asking: Asking | undefined;
    const record = (entry: Pick<AuditEntry, "outcome"> & Partial<AuditEntry>) => {
      const line: AuditEntry = {
        tool,
        tenant,
        apiVersion: call.apiVersion,
        ...(call.era ? { era: call.era } : {}),
        targetIds: plan.targetIds,
        confirmation,
        ...(passedOver?.length ? { passedOver } : {}),
        ...plan.audit,
        ...(call.actor ? { actor: call.actor } : {}),
        ...(confirmedBy ? { confirmedBy } : {}),
        ...entry,
      };
      opts.audit.record(line);
      confirmationRecorded(line, asking);
    };

    // Reads before acting change nothing: their failures are refusals, not "may have happened".
    const reading = async <T>(read: () => Promise<T>): Promise<T> => {
      try {
        return await read();
      } catch (err) {
        if (!(err instanceof IscError)) throw err;
        if (err.status === 404)
          throw refuse(
            "target-gone",
            "the identity does not exist (ISC answered 404).",
            plan.gone ?? "Check the id; call again only with the right one.",
            404,
            err.trackingId,
          );
        const tracking = err.trackingId ? ` (ISC trackingId ${err.trackingId})` : "";
        throw refuse(
          "target-unreadable",
          `reading the target before acting failed: ${err.message}${tracking}`,
          "Retry in a moment; nothing was attempted.",
          err.status,
          err.trackingId,
        );
      }
    };

    try {
      // A round answers a question, so this call needs a confirmation: its audit line must not say none-needed if the
      // state is refused. Until the state is checked, it names the channel this client would be asked on first.
      if (call.round) confirmation = channels.candidates(facts)[0]?.name ?? "none-available";
      // A round answering an earlier round's question: its state is checked against this call and spent (once, in the
      // shared store) before anything else; the target is checked once this round's preview is read.
      const taken = call.round
        ? await rounds.take(call.round.state, { tool, tenant, args: call.args, asker: call.actor?.sub })
        : undefined;
      if (taken && !taken.ok) throw refuse(taken.reason, taken.why, taken.next);
      const resumed = taken?.state;
      if (resumed && call.progressTrack) call.progressTrack.base = resumed.progress;
      if (resumed && call.round?.failed) {
        // Nothing to read or ask: the audit line names the channel whose question went unanswered.
        confirmation = resumed.channel;
        passedOver = resumed.passedOver.length ? resumed.passedOver : undefined;
        asking = resumeAsking(resumed.nonce, "");
        humanAnswered(asking, false);
        throw refuse("elicitation-failed", `${call.round.failed}.`, UNANSWERED_NEXT);
      }

      // Batches add up: the threshold is on what this tool touched on this tenant within the window, this call included.
      let window: Preview["window"];
      if (plan.mass) {
        const windowMs = config.confirmWindowSeconds * 1000;
        const count = await store.countInWindow(`mass\0${tenant}\0${tool}`, plan.mass.identities, windowMs, now());
        if (count > config.confirmThreshold) window = { count, minutes: Math.round(windowMs / 60_000) };
      }
      const confirm: ConfirmBy | "none" = plan.confirm !== "none" ? plan.confirm : window ? "yes" : "none";
      const spec: PreviewSpec | undefined =
        plan.preview ??
        (window && plan.mass
          ? { kind: "count", count: plan.mass.identities.length, touched: { identities: plan.mass.identities } }
          : undefined);
      // The audit line names the channel that would be asked first; once asked, the one whose answer stands.
      const candidates = confirm === "none" ? [] : channels.candidates(facts);
      if (confirm !== "none") confirmation = candidates[0]?.name ?? "none-available";

      // The round that asked started the cooldown: the one answering it must not be refused by it.
      if (plan.cooldownMs && !resumed) {
        const left = await store.startCooldown(
          `cooldown\0${tenant}\0${tool}\0${plan.targetIds.join(",")}`,
          plan.cooldownMs,
          now(),
        );
        if (left > 0) {
          const ago = Math.floor((plan.cooldownMs - left) / 1000);
          const wait = Math.max(1, Math.ceil(left / 1000));
          throw refuse(
            "too-soon",
            `ISC allows this once per ${plan.cooldownMs / 1000} s per identity, and this server asked ${ago < 1 ? "less than 1 s" : `${ago} s`} ago, so ISC was not called.`,
            `Retry after ${wait} s.`,
          );
        }
      }

      let preview: Preview | undefined;
      if (confirm !== "none") {
        if (!spec) throw new Error(`${tool} needs confirmation but its plan gives nothing to preview`);
        if (candidates.length === 0) {
          const { why, next } = channels.unavailable(facts);
          throw refuse("elicitation-required", why, next);
        }
        // Each round reads the target (again) before it asks: one step of progress, which rises across rounds.
        await call
          .progress(PREVIEW_PROGRESS, undefined, "Reading what the user will be asked to confirm")
          .catch(() => {});
        const p: Preview = {
          ...(await reading(() => readPreview(call.read, spec, plan.action))),
          ...(window ? { window } : {}),
        };
        preview = p;
        // A round answering an earlier question: this preview is the target read again after the human answered.
        const stale = resumed && staleRound(rounds, resumed, p, candidates, plan.blockedNext);
        if (stale) throw refuse(stale.reason, stale.why, stale.next);
        if (p.blockers.length > 0) {
          throw refuse(
            "blocked",
            `it cannot succeed, so nobody was asked to confirm:\n${p.blockers.map((b) => `- the identity ${b}`).join("\n")}`,
            plan.blockedNext ?? "Resolve the above first.",
          );
        }
        // Built whole, not spread from a partial one: that copy got a hidden class of its own in every call, and a call
        // waiting on a page holds it for minutes.
        const binding: Binding = {
          tool,
          tenant,
          args: call.args,
          target: p.fingerprint,
          asker: call.actor?.sub,
          key: "",
        };
        binding.key = codes.bindingKey(binding);
        const resume =
          resumed && call.round
            ? resumeOf(resumed, call.round.response, await rounds.answeredAfter(resumed), call.round.waited)
            : undefined;
        asking = resumeAsking(resumed?.nonce, binding.key);
        const turn = await askInTurn(
          candidates,
          {
            binding,
            preview: p,
            by: confirm,
            code: call.code,
            call,
            now,
            ttlMs,
            asker: call.actor,
            fourEyes: facts.fourEyes,
            about: {
              verify: plan.verify,
              ...(plan.page ? { page: plan.page } : {}),
              ...(spec.kind === "count" && spec.touched ? { touched: spec.touched } : {}),
            },
          },
          { fastAnswerMs, resume },
        );
        const { channel, answer } = turn;
        if (answer.kind !== "input") humanAnswered(asking, answer.kind === "confirmed");
        confirmation = channel.name;
        passedOver = turn.passedOver;
        hosts.saw(call.host, turn.host);
        switch (answer.kind) {
          case "input": {
            // Not an outcome yet: no audit line; the round that hears the answer writes it (with every channel passed over).
            const { ask } = answer;
            const { sealed: requestState, nonce } = await rounds.mint(binding, {
              channel: channel.name,
              passedOver: turn.passedOver,
              automatic: turn.host.automatic,
              progress: call.progressTrack?.highest ?? 0,
              eid: ask.mode === "url" ? ask.elicitationId : undefined,
            });
            askedInNextRound(asking, nonce, ttlMs);
            return { status: "input_required", preview: p, ask, requestState };
          }
          case "refused":
          case "unshown":
            throw refuse(answer.reason, answer.why, answer.next);
          case "code-issued":
            record({ outcome: "refused", reason: "confirmation-required" });
            return { status: "confirmation_required", preview: p, code: answer.code, expiresAt: answer.expiresAt };
          case "pending":
            record({ outcome: "refused", reason: "confirmation-pending" });
            return { status: "confirmation_pending", preview: p, where: answer.where, expiresAt: answer.expiresAt };
          case "confirmed":
            confirmedBy = answer.by ?? (channel.name === "form" ? call.actor : undefined);
            // The page checks this before it takes an answer; checked here again, as the last word before acting.
            if (
              facts.fourEyes
                ? !confirmedBy || confirmedBy.sub === call.actor?.sub
                : call.actor && confirmedBy && confirmedBy.sub !== call.actor.sub
            ) {
              throw refuse(
                "cancelled",
                facts.fourEyes
                  ? "under --four-eyes a different signed-in approver must confirm, and this answer was not theirs."
                  : "the answer came from a different person than the one who asked.",
                TELL_USER,
              );
            }
            if (answer.waited) {
              // A human may have taken minutes: read the target again right before acting.
              const current = await reading(() => currentFingerprint(call.read, spec, p));
              if (current !== p.fingerprint)
                throw refuse(
                  "target-changed",
                  "the identity changed (or is gone) while the user was confirming.",
                  "Call again to show the user the current state.",
                );
              // What blocks the action (for deletes: ownership and protection) may have appeared meanwhile too.
              if (spec.kind === "identity" && spec.blockers && p.identity) {
                const identity = p.identity;
                const blockers = await reading(() => spec.blockers!(identity, call.read));
                if (blockers.length > 0)
                  throw refuse(
                    "blocked",
                    `it can no longer succeed (this changed while the user was confirming):\n${blockers.map((b) => `- the identity ${b}`).join("\n")}`,
                    plan.blockedNext ?? "Resolve the above first.",
                  );
              }
            }
        }
      }

      let done: ActResult<V>;
      try {
        done = await act(call.write);
      } catch (err) {
        // A 2xx whose body we cannot read, or that the deadline, a cancellation or a broken connection cut off: ISC did act.
        // Saying "failed" would invite a retry that acts twice.
        if (err instanceof IscError && err.status !== undefined && err.status >= 200 && err.status < 300) {
          record({
            outcome: "executed",
            httpStatus: err.status,
            reason: err.kind === "bad_response" ? "unexpected-body" : "answer-cut-off",
          });
          return {
            status: "executed_unread",
            httpStatus: err.status,
            problem: err.message,
            ...(preview ? { preview } : {}),
          };
        }
        throw err;
      }
      record({ outcome: "executed", httpStatus: done.httpStatus, ...(done.taskId ? { taskId: done.taskId } : {}) });
      return { status: "executed", value: done.value, ...(preview ? { preview } : {}) };
    } catch (caught) {
      // The shared store could not say whether a code was spent or a cooldown runs: refuse rather than guess.
      const err =
        caught instanceof StoreUnavailable
          ? refuse(
              "store-unavailable",
              `${caught.message}.`,
              "Retry in a moment; if it keeps failing, whoever runs the server should check Redis.",
            )
          : caught;
      if (err instanceof Refusal) {
        record({
          outcome: "refused",
          reason: err.reason,
          ...(err.httpStatus ? { httpStatus: err.httpStatus } : {}),
          ...(err.trackingId ? { trackingId: err.trackingId } : {}),
        });
      } else if (err instanceof IscError) {
        record({
          outcome: "failed",
          reason: err.kind,
          ...(err.status ? { httpStatus: err.status } : {}),
          ...(err.trackingId ? { trackingId: err.trackingId } : {}),
        });
      } else {
        record({ outcome: "failed", reason: "internal" });
      }
      throw err;
    }
  }

  return {
    run,
    canConfirm: (client) => channels.choose(factsFor(client)) !== undefined,
    humanChannels: (client) => channels.human(factsFor(client)).map((c) => c.name),
    waitOnPage: (page, call) =>
      opts.pages
        ? waitOnPage(opts.pages, config.confirmWaitSeconds * 1000, page, call, URL_WHERE, now)
        : Promise.resolve(undefined),
  };
}

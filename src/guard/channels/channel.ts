// What a confirmation channel is: when it can be used, whether a human answers on it, and how it asks and hears the answer.
import type { Config } from "../../config/resolve.js";
import type { IscRead } from "../../isc/body.js";
import type { Actor } from "../actor.js";
import type { ConfirmBy, PageWords, Touched } from "../plan.js";
import type { Preview } from "../preview.js";
import type { RefusalReason } from "../../core/errors.js";
import type { PendingOwner } from "../page/open-count.js";

/**
 * The progress value a round sends while it reads what the user will be asked to confirm. What a channel reports later
 * in that round (a page's wait) starts above it: MCP wants each progress value higher than the last, and the call drops
 * one that is not, so a wait starting at 0 would go unseen until its first tick.
 */
export const PREVIEW_PROGRESS = 1;

/** What is known before asking, from which the guard picks the channels to ask on, in order. */
export interface ChannelFacts {
  /**
   * What the client declared (`elicitation.form` / `elicitation.url`; an empty `elicitation: {}` means form): at
   * initialize in the 2025 era, in this very request's envelope in the 2026 era. Either way the question goes out as an
   * input request returned from the call (mcp/legacy-rounds.ts sends a 2025 client an elicitation/create).
   */
  client: { form: boolean; url: boolean };
  transport: "stdio" | "http";
  /** --confirm: strict never uses a channel whose `human` is false. */
  mode: "auto" | "strict";
  /** Operator settings a channel may need (a public base URL, a browser command...). */
  config: Config;
  /** --four-eyes applies to this call (a destructive tool): only a channel on which a second, signed-in person answers may serve it. */
  fourEyes: boolean;
}

/** The human's answer to a form, as the MCP client reports it. */
export interface FormResult {
  action: "accept" | "decline" | "cancel";
  content?: Record<string, unknown> | undefined;
}

/** The MCP side of one call, as far as a channel may use it. */
export interface ChannelCall {
  /** Aborts when the client cancels the call or its deadline passes. */
  signal: AbortSignal;
  /** GET only: what a channel may read to show the human more (e.g. the names behind a count). */
  read: IscRead;
  /**
   * Whose open confirmations a new one counts toward (--max-pending-per-session): the signed-in person, else the MCP
   * session (stdio is one); undefined for a stateless call without sign-in (then only --max-pending applies).
   */
  owner?: PendingOwner | undefined;
  /** When the call's deadline passes (ms since the epoch): a channel that waits must answer "pending" before it. */
  deadline: number;
  /** The client gave a progress token (so `progress` reaches it). */
  wantsProgress?: boolean;
  /** An MCP progress notification, when the client gave a progress token; otherwise nothing. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** The client speaks MCP 2026-07-28: a question it answers comes back in a new request (no notifications/elicitation/complete). */
  modern?: boolean;
  /** notifications/elicitation/complete for an earlier URL elicitation. */
  elicitationComplete(elicitationId: string): Promise<void>;
}

/** What the guard binds a confirmation to; a code or a pending confirmation answers only for the same binding. */
export interface Binding {
  tool: string;
  tenant: string;
  /** Validated arguments, `confirmationCode` left out. */
  args: Record<string, unknown>;
  /** The previewed target's fingerprint, so a changed target invalidates the confirmation. */
  target: string;
  /** With sign-in: the asker's `sub` (one person's confirmation never answers another's call). */
  asker?: string | undefined;
  /** One string for all of the above (keyed hash): the store's key for pending confirmations. */
  key: string;
}

/** A question for the human that the client shows and answers in the call's next round (an input request). */
export type InputAsk =
  | { mode: "form"; message: string; requestedSchema: Record<string, unknown> }
  /**
   * `elicitationId`: 2025 era only (2026 URL elicitation has none). `page`: 2025 era only, in this process only (never
   * sent: it answers the page): the page this call waits on once its client opened it, before the next round.
   */
  | { mode: "url"; message: string; url: string; elicitationId?: string | undefined; page?: string | undefined };

/** The client's answer to the question a channel asked in the previous round of this call. */
export interface Resumed {
  /** The client's bare answer (`inputResponses.confirm`): untrusted, checked by the channel. */
  response: unknown;
  /** How long after the question was sent this answer came (ms, one clock: RoundStates.answeredAfter). */
  answeredAfterMs: number;
  /** 2025 era, URL: the elicitationId the client was given. */
  elicitationId?: string | undefined;
  /** 2025 era, URL: this call already waited on the page (GuardCall.round.waited); a page still unanswered is pending. */
  waited?: boolean | undefined;
}

export interface ConfirmationAsk {
  binding: Binding;
  preview: Preview;
  by: ConfirmBy;
  /** The confirmationCode the model sent, if any. */
  code: string | undefined;
  call: ChannelCall;
  now(): number;
  /** --confirm-ttl in ms: how long a code or a pending confirmation lives. */
  ttlMs: number;
  /** With sign-in: the person whose call this is; a page answers only them (or, under `fourEyes`, only a different approver). */
  asker?: Actor | undefined;
  /** --four-eyes applies to this call. */
  fourEyes?: boolean | undefined;
  /** Set for the channel whose question this round answers; absent when the channel is asked afresh. */
  resumed?: Resumed | undefined;
  /** What the tool's plan says for a person and the model, so no channel names a tool or reads its arguments. */
  about: {
    /** How to check the result (the plan's `verify`), e.g. for "already used: check the result with …". */
    verify: string;
    page?: PageWords | undefined;
    /** Which identities a mass action touches, for the page's sample of names. */
    touched?: Touched | undefined;
  };
}

export type ChannelAnswer =
  /** The human said yes. `waited`: they answered while this call waited, so the guard reads the target again first. `by`: who, when a page signed them in. */
  | { kind: "confirmed"; waited: boolean; by?: Actor | undefined; fromHost?: boolean }
  /**
   * `fromHost`: this is the MCP client's own reply to an elicitation (a form's answer, a declined URL), which some
   * hosts send without showing anything; the guard takes a decline or cancel that came back too fast as the host's.
   */
  | { kind: "refused"; reason: RefusalReason; why: string; next: string; fromHost?: boolean }
  /** The question never reached a person (the browser did not start): the guard asks on the next channel. */
  | { kind: "unshown"; reason: RefusalReason; why: string; next: string }
  /** Not human: the model is given a code to pass back once the user agreed (auto mode only). */
  | { kind: "code-issued"; code: string; expiresAt: number }
  /** The channel's question goes to the client as an input request; the call ends this round and its next one carries the answer. */
  | { kind: "input"; ask: InputAsk }
  /** The human has not answered yet; `where` completes "a confirmation is waiting for the user …" (e.g. "in their browser"). */
  | { kind: "pending"; where: string; expiresAt: number };

export interface Channel {
  /** Its name in --confirm-via and in the audit log's `confirmation`. */
  readonly name: string;
  /** True when only a human can answer it (the model cannot): the only kind strict mode uses. */
  readonly human: boolean;
  /** True when a person other than the one who asked can answer it, signed in (the confirmation page): the only kind --four-eyes uses for destructive tools. */
  readonly secondPerson?: boolean;
  /** What a client or operator needs for it, for refusals: e.g. "an MCP client that supports form elicitation". */
  readonly needs: string;
  available(facts: ChannelFacts): boolean;
  /** When it is unavailable because of how this server runs (not what the client declared): why, for the refusal. */
  lacking?(facts: ChannelFacts): string | undefined;
  /** Asks (or finds the earlier ask of the same binding) and reports the answer. Never acts. */
  ask(req: ConfirmationAsk): Promise<ChannelAnswer>;
}

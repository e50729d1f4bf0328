// The requestState of a confirmation asked as an input request: sealed with the SDK's codec, bound to one call, spent once.
import { createRequestStateCodec, type RequestStateCodec } from "@modelcontextprotocol/server";
import { createHmac, randomBytes } from "node:crypto";
import type { RefusalReason } from "../core/errors.js";
import { canonicalJson, thisProcess } from "./codes.js";
import type { Binding, Channel, PassedOver, Resumed } from "./channels/index.js";
import type { Preview } from "./preview.js";
import type { GuardStore } from "./store.js";

/**
 * What travels with the client between rounds. The codec signs but does not encrypt it, so the client can read it:
 * arguments, target, tenant and person are keyed digests, never the values (an identity's name or email, a `sub`),
 * and the confirmation page's id (which answers the page) is not in it at all: a later round finds the page by binding.
 */
export interface RoundState {
  v: 1;
  tool: string;
  tenant: string;
  args: string;
  target: string;
  /** With sign-in: whose call this is (a digest of their `sub`); absent without sign-in. */
  asker?: string;
  /** When it stops being accepted (ms since the epoch, the guard's clock). */
  exp: number;
  /** The channel whose question the client is answering in the next round. */
  channel: string;
  /** When that question was sent (the guard's clock): an answer sooner than --confirm-fast-answer is the host's. */
  issuedAt: number;
  /** The process that minted it, and a nonce: together what is spent (see GuardStore.spend). */
  origin: string;
  nonce: string;
  /** Channels already passed over in earlier rounds (for the audit line and the fall-through rule). */
  passedOver: PassedOver[];
  /** How many of the client's answers so far were too fast to be a person's. */
  automatic: number;
  /** The highest progress value sent in earlier rounds, so progress keeps rising across rounds. */
  progress: number;
  /** 2025 era, URL: the elicitationId the client was given, for notifications/elicitation/complete. */
  eid?: string;
}

/** What a round adds to the binding when it asks: which question, and what the turn so far carries on. */
export type RoundAsk = Pick<RoundState, "channel" | "passedOver" | "automatic" | "progress"> & {
  eid?: string | undefined;
};

export type Refused = { ok: false; reason: RefusalReason; why: string; next: string };
export type Opened = { ok: true; state: RoundState } | Refused;

export interface RoundStates {
  /** The sealed state for the client, and its nonce (what names this round in this process, e.g. its telemetry). */
  mint(binding: Omit<Binding, "key">, ask: RoundAsk): Promise<{ sealed: string; nonce: string }>;
  /** Verifies a state the client echoed and checks it against this call (all but the target, which needs the preview). */
  open(raw: unknown, binding: Omit<Binding, "key" | "target">): Promise<Opened>;
  /** The target the state was minted for matches this call's fresh preview. */
  sameTarget(state: RoundState, target: string): boolean;
  /** Spends the state: of any number of rounds carrying it, on any replica sharing the store, exactly one gets `ok`. */
  spend(state: RoundState): Promise<Opened>;
  /** `open`, then `spend`: what a round answering an earlier one does before anything else. */
  take(raw: unknown, binding: Omit<Binding, "key" | "target">): Promise<Opened>;
  /**
   * How long after its question this round answers it (ms), on one clock: the guard's when this process asked, else the
   * shared store's. Another replica's clock may run ahead of the asker's, and two clocks would then make a host's instant
   * answer look like a person's (--confirm-fast-answer).
   */
  answeredAfter(state: RoundState): Promise<number>;
}

export interface RoundStateOptions {
  key: string | (() => string);
  /** The key is ISC_MCP_CONFIRM_KEY, shared by every replica (not this process's own random one). */
  sharedKey: boolean;
  ttlMs: number;
  now: () => number;
  store: GuardStore;
  /** --confirm-fast-answer in ms: the window `answeredAfter` measures on the store's clock for another replica. 0: none. */
  fastAnswerMs: number;
}

/** The store key of a question's fast-answer window: open for --confirm-fast-answer from when it was sent. */
const answerWindow = (state: RoundState) => `answer-window\0${state.origin}\0${state.nonce}`;

const AGAIN = "Call the tool again (without requestState) to show the user a fresh confirmation.";
const refused = (reason: RefusalReason, why: string, next = AGAIN): Refused => ({ ok: false, reason, why, next });

export function createRoundStates(opts: RoundStateOptions): RoundStates {
  const key = typeof opts.key === "function" ? opts.key : () => opts.key as string;
  const mac = (...parts: string[]) =>
    createHmac("sha256", key()).update(parts.join("\0")).digest("base64url").slice(0, 22);
  // The codec wants 32 bytes or more; ISC_MCP_CONFIRM_KEY may be 16 characters: a key derived from it, the same on every replica.
  let codec: RequestStateCodec<RoundState> | undefined;
  const theCodec = () =>
    (codec ??= createRequestStateCodec<RoundState>({
      key: createHmac("sha256", key()).update("isc-identities-mcp requestState").digest(),
      // Its own expiry runs on the wall clock; ours (`exp`, on the guard's clock) is the one that decides.
      ttlSeconds: Math.ceil(opts.ttlMs / 1000) + 60,
    }));
  const tags = (b: Omit<Binding, "key" | "target">) => ({
    tool: b.tool,
    tenant: mac("tenant", b.tenant),
    args: mac("args", b.tool, canonicalJson(b.args)),
    ...(b.asker !== undefined ? { asker: mac("asker", b.asker) } : {}),
  });

  const rounds: RoundStates = {
    async take(raw, binding) {
      const opened = await rounds.open(raw, binding);
      return opened.ok ? rounds.spend(opened.state) : opened;
    },
    async mint(binding, ask) {
      const issuedAt = opts.now();
      const state: RoundState = {
        v: 1,
        ...tags(binding),
        target: mac("target", binding.target),
        exp: issuedAt + opts.ttlMs,
        channel: ask.channel,
        issuedAt,
        origin: thisProcess(),
        nonce: randomBytes(12).toString("base64url"),
        passedOver: ask.passedOver,
        automatic: ask.automatic,
        progress: ask.progress,
        ...(ask.eid !== undefined ? { eid: ask.eid } : {}),
      };
      // The window runs on the store's clock (Redis expires it), so a replica hearing the answer needs no clock of ours.
      // Only another process holding the shared key can answer this state, so a lone process writes none.
      if (opts.sharedKey && opts.fastAnswerMs > 0)
        await opts.store.startCooldown(answerWindow(state), opts.fastAnswerMs, issuedAt);
      return { sealed: await theCodec().mint(state), nonce: state.nonce };
    },

    async open(raw, binding) {
      if (typeof raw !== "string")
        return refused("state-invalid", "the requestState the client sent back is not one this server issued.");
      let state: RoundState;
      try {
        state = await theCodec().verify(raw, undefined as never);
      } catch (err) {
        if (err instanceof Error && err.message === "expired")
          return refused("state-expired", "the confirmation it answers has expired.");
        // Under a random key per process, another process's state (or one from before a restart) never verifies.
        const elsewhere = opts.sharedKey
          ? ""
          : " (or it was issued by another server process, or before this one restarted)";
        return refused(
          "state-invalid",
          `the requestState the client sent back was altered or is not one this server issued${elsewhere}.`,
        );
      }
      if (state?.v !== 1 || typeof state.nonce !== "string" || typeof state.exp !== "number")
        return refused("state-invalid", "the requestState the client sent back is not one this server issued.");
      if (!(opts.now() <= state.exp)) return refused("state-expired", "the confirmation it answers has expired.");
      const want = tags(binding);
      if (state.asker !== want.asker)
        return refused(
          "state-other-person",
          "the confirmation it answers was asked for another person's call; one person's confirmation never answers another's.",
          "Tell the user it was not done; call again only if they ask for it.",
        );
      if (state.tool !== want.tool)
        return refused(
          "state-mismatch",
          `the confirmation it answers was asked for another tool (not ${binding.tool}).`,
        );
      if (state.tenant !== want.tenant || state.args !== want.args)
        return refused(
          "state-mismatch",
          "the confirmation it answers was asked for other arguments (another target or other values) or another tenant.",
        );
      return { ok: true, state };
    },

    sameTarget: (state, target) => state.target === mac("target", target),

    async answeredAfter(state) {
      const elapsed = opts.now() - state.issuedAt;
      if (state.origin === thisProcess() || opts.fastAnswerMs <= 0) return elapsed;
      // Another replica asked: its window still open means sooner than the bound, whatever the two clocks say (a
      // claim of 1 ms when it has closed is harmless).
      const left = await opts.store.startCooldown(answerWindow(state), 1, opts.now());
      return left > 0 ? Math.max(0, opts.fastAnswerMs - left) : Math.max(opts.fastAnswerMs, elapsed);
    },

    async spend(state) {
      const byThisProcess = state.origin === thisProcess();
      const spent = await opts.store.spend(
        `requestState\0${state.origin}\0${state.nonce}`,
        { at: state.issuedAt, byThisProcess },
        state.exp - opts.now() + 1,
        opts.now(),
      );
      if (spent === "spent") return { ok: true, state };
      if (spent === "used")
        return refused(
          "state-replayed",
          "this confirmation's answer was already used; each one is taken once.",
          "Do not call again for this; read the target to check the result instead.",
        );
      const cause =
        typeof spent === "object"
          ? `: ${spent.untracked}`
          : " (it was issued by another server process, before this one restarted, or before the shared store last restarted)";
      return refused("state-untracked", `whether this confirmation's answer was already used cannot be known${cause}.`);
    },
  };
  return rounds;
}

/** How a round answering `state` resumes the turn: at the channel that asked, with the client's answer. */
export function resumeOf(
  state: RoundState,
  response: unknown,
  answeredAfterMs: number,
  waited?: boolean,
): { channel: string; resumed: Resumed; passedOver: PassedOver[]; automatic: number } {
  return {
    channel: state.channel,
    resumed: { response, answeredAfterMs, elicitationId: state.eid, waited },
    passedOver: state.passedOver,
    automatic: state.automatic,
  };
}

/**
 * What stops a round answering `state` once its preview is read (the target read again after the human answered):
 * another target than the one asked about, something that now blocks the action, or a channel this request can no
 * longer be asked on (a 2026 client's capabilities come with each request).
 */
export function staleRound(
  rounds: RoundStates,
  state: RoundState,
  preview: Preview,
  candidates: readonly Channel[],
  blockedNext: string | undefined,
): Refused | undefined {
  if (!rounds.sameTarget(state, preview.fingerprint))
    return refused(
      "target-changed",
      "the identity changed (or is gone) while the user was confirming.",
      "Call again to show the user the current state.",
    );
  if (preview.blockers.length > 0) {
    return refused(
      "blocked",
      `it can no longer succeed (this changed while the user was confirming):\n${preview.blockers.map((b) => `- the identity ${b}`).join("\n")}`,
      blockedNext ?? "Resolve the above first.",
    );
  }
  if (!candidates.some((c) => c.name === state.channel))
    return refused(
      "state-mismatch",
      `the confirmation it answers was asked on the ${state.channel} channel, which can no longer be used for this client (what it declares changed).`,
    );
  return undefined;
}

// What the guard remembers across calls, behind one small async interface: spent codes, cooldowns, mass-action windows, pending confirmations.
import type { Actor } from "./audit.js";

/**
 * Every method is one atomic step, so two replicas (or two sessions) sharing a store can never both
 * spend a code, both start a cooldown, or both slip a batch under the mass threshold. Times are passed
 * in (`now`, ms since the epoch) so the guard's clock, injected by tests, is the only clock.
 * Implementations: `createMemoryStore` below (one process); a Redis one for replicas.
 */
export interface GuardStore {
  /**
   * Marks `code` spent for `ttlMs` ("spend if not spent"): "used" when it already was; "untracked" when it was
   * issued where this store's record does not reach (another process, before a restart), so it may have been spent;
   * `{ untracked: why }` when this store cannot keep any spent code safely right now, so no code is accepted.
   */
  spend(code: string, issued: IssuedCode, ttlMs: number, now: number): Promise<Spend>;
  /** Starts a cooldown of `ms` on `key` unless one is running; 0 when started, else the ms left of the running one. */
  startCooldown(key: string, ms: number, now: number): Promise<number>;
  /** Adds `ids` to the window of `key` (the last `windowMs`) and returns how many distinct ids the window holds now. */
  countInWindow(key: string, ids: readonly string[], windowMs: number, now: number): Promise<number>;
  /** Opens `p` unless an unexpired one with the same binding exists; returns the one that is open now (one page per binding). */
  openPending(p: PendingConfirmation, now: number): Promise<PendingConfirmation>;
  /** The unexpired pending confirmation with this id or binding key. */
  findPending(by: { id: string } | { binding: string }, now: number): Promise<PendingConfirmation | undefined>;
  /** Records the human's answer; false when it was already answered, or is gone or expired (first answer wins). */
  answerPending(id: string, answer: PendingAnswer, now: number): Promise<boolean>;
  /** Removes and returns the answered confirmation for this binding, so only one call can act on it; unanswered ones stay. */
  takeAnswered(binding: string, now: number): Promise<PendingConfirmation | undefined>;
}

/** Where a code came from, as the code itself says (signed with it). */
export interface IssuedCode {
  /** When it was issued (ms since the epoch, the issuer's clock). */
  at: number;
  /** By this very process (not an earlier run of it, not another replica). */
  byThisProcess: boolean;
}

/** `{ untracked }` names the cause (and its fix) in words the refusal can quote, e.g. a Redis that may evict keys. */
export type Spend = "spent" | "used" | "untracked" | { untracked: string };

/** A confirmation a human answers outside the tool call (e.g. on a page); the model's re-call finds it by binding. */
export interface PendingConfirmation {
  /** Unguessable (at least 128 random bits): it is the only thing that guards the page. */
  id: string;
  /** `bindingKey(...)`: tool + tenant + exact arguments + previewed target. */
  binding: string;
  /** Name of the channel that opened it. */
  channel: string;
  expiresAt: number;
  /** JSON the channel needs to show it again (preview, how to confirm); opaque to the store. */
  data: string;
  answer?: PendingAnswer;
}

/** `by`: with sign-in on the page, the person who answered. */
export type PendingAnswer = ({ confirmed: true } | { confirmed: false; reason: "declined" | "cancelled" | "name-mismatch"; why: string }) & { by?: Actor };

/** The process-memory store; entries are dropped once they expire, so it stays as small as the recent activity. */
export function createMemoryStore(): GuardStore {
  const spent = new Map<string, number>();
  const cooldowns = new Map<string, number>();
  const windows = new Map<string, Map<string, number>>();
  const pending = new Map<string, PendingConfirmation>();

  const prune = (map: Map<string, number>, now: number) => {
    for (const [key, until] of map) if (until <= now) map.delete(key);
  };
  const live = (now: number) => {
    for (const [id, p] of pending) if (p.expiresAt <= now) pending.delete(id);
    return [...pending.values()];
  };

  return {
    async spend(code, issued, ttlMs, now) {
      // This memory holds only what this process spent: another process (or this one before a restart) may have spent it.
      if (!issued.byThisProcess) return "untracked";
      prune(spent, now);
      if (spent.has(code)) return "used";
      spent.set(code, now + Math.max(1, ttlMs));
      return "spent";
    },
    async startCooldown(key, ms, now) {
      prune(cooldowns, now);
      const until = cooldowns.get(key);
      if (until !== undefined) return until - now;
      cooldowns.set(key, now + ms);
      return 0;
    },
    async countInWindow(key, ids, windowMs, now) {
      for (const [k, seen] of windows) {
        prune(seen, now);
        if (seen.size === 0 && k !== key) windows.delete(k);
      }
      const seen = windows.get(key) ?? new Map<string, number>();
      for (const id of ids) seen.set(id, now + windowMs);
      if (seen.size > 0) windows.set(key, seen);
      return seen.size;
    },
    async openPending(p, now) {
      const open = live(now).find((q) => q.binding === p.binding);
      if (open) return { ...open };
      pending.set(p.id, { ...p });
      return { ...p };
    },
    async findPending(by, now) {
      const found = live(now).find((q) => ("id" in by ? q.id === by.id : q.binding === by.binding));
      return found ? { ...found } : undefined;
    },
    async answerPending(id, answer, now) {
      const p = live(now).find((q) => q.id === id);
      if (!p || p.answer) return false;
      p.answer = answer;
      return true;
    },
    async takeAnswered(binding, now) {
      const p = live(now).find((q) => q.binding === binding && q.answer);
      if (!p) return undefined;
      pending.delete(p.id);
      return p;
    },
  };
}

/**
 * Shared by every guard in the process, so a code spent in one MCP session cannot be spent again
 * in another, and the sync limit holds whichever session asks.
 */
export const PROCESS_STORE: GuardStore = createMemoryStore();

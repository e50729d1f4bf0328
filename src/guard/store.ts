// What the guard remembers across calls, behind one small async interface: spent codes, cooldowns, mass-action windows, pending confirmations.
import type { Actor } from "./actor.js";

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
  /**
   * Opens `p` unless a live one (unexpired, its answer not taken) with the same binding exists; returns the one that is
   * open now (one page per binding).
   */
  openPending(p: PendingConfirmation, now: number): Promise<PendingConfirmation>;
  /** The live pending confirmation with this id or binding key: unexpired, and its answer (if any) not yet taken. */
  findPending(by: { id: string } | { binding: string }, now: number): Promise<PendingConfirmation | undefined>;
  /**
   * The latest pending confirmation with this id or binding key, whatever became of it (open, answered, taken or
   * expired), kept PENDING_KEPT_MS past its expiry: so a late page reads "already answered" or "expired", and a re-call
   * learns what happened, on any replica.
   */
  recallPending(by: { id: string } | { binding: string }, now: number): Promise<PendingConfirmation | undefined>;
  /** Records the human's answer; false when it was already answered, or is gone or expired (first answer wins). */
  answerPending(id: string, answer: PendingAnswer, now: number): Promise<boolean>;
  /**
   * Takes the answer of the live confirmation for this binding, so only one call can act on it (it is then marked
   * `taken`, and no longer live); undefined when unanswered, already taken, or none.
   */
  takeAnswered(binding: string, now: number): Promise<PendingConfirmation | undefined>;
  /** True for the first caller only once the confirmation `id` expired unanswered, so one re-call says it expired. */
  tellExpired(id: string, now: number): Promise<boolean>;
  /**
   * Counts one wrong typed name on the confirmation `id` (kept until it expires at `expiresAt`) and returns how many it
   * has had so far, whichever replica each came through: the limit belongs to the confirmation, not to a process.
   */
  countWrongName(id: string, expiresAt: number, now: number): Promise<number>;
  /**
   * Calls `wake` when the pending confirmation `id` may have been answered, here or (Redis) on another replica, and
   * returns the way to stop. A hint, never the answer: the caller reads the store again, so an extra wake-up costs one
   * read, and a waiting call also reads at its progress ticks, in case one was lost.
   */
  watchPending(id: string, wake: () => void): () => void;
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
  /** When a call took the answer (to act on it, or to refuse). */
  taken?: number;
}

/** How long past its expiry a pending confirmation is remembered, so a late tab reads "expired" or "already answered". */
export const PENDING_KEPT_MS = 10 * 60_000;

/** `by`: with sign-in on the page, the person who answered. */
export type PendingAnswer = (
  { confirmed: true } | { confirmed: false; reason: "declined" | "cancelled" | "name-mismatch"; why: string }
) & { by?: Actor };

/** How often (by the callers' clock) the memory store drops everything expired; single keys are checked whenever read. */
const SWEEP_MS = 1_000;

/**
 * The process-memory store. Every lookup is by key (pending confirmations by id and by binding), and what expired
 * is dropped by one sweep at most once per SWEEP_MS, so no call pays for scanning everything: thousands of waiting
 * calls each looking at their own confirmation cost as much as one each. It stays as small as the recent activity.
 */
export function createMemoryStore(): GuardStore {
  const spent = new Map<string, number>();
  const cooldowns = new Map<string, number>();
  const windows = new Map<string, Map<string, number>>();
  /** Every pending confirmation until PENDING_KEPT_MS past its expiry. */
  const pending = new Map<string, PendingConfirmation>();
  /** binding -> id of its latest pending confirmation. */
  const byBinding = new Map<string, string>();
  /** Ids seen expired: they stay so even if the callers' clock goes back. */
  const lapsed = new Set<string>();
  /** Ids whose expiry a re-call was told. */
  const told = new Set<string>();
  /** Wrong typed names per id, forgotten with the confirmation. */
  const wrong = new Map<string, number>();
  const watchers = createWatchers();
  let sweptAt = Number.NEGATIVE_INFINITY;

  const dropExpired = (map: Map<string, number>, now: number) => {
    for (const [key, until] of map) if (until <= now) map.delete(key);
  };
  const drop = (p: PendingConfirmation) => {
    pending.delete(p.id);
    lapsed.delete(p.id);
    told.delete(p.id);
    wrong.delete(p.id);
    if (byBinding.get(p.binding) === p.id) byBinding.delete(p.binding);
  };
  /** The confirmation `id` as remembered (marked lapsed once expired), or undefined once forgotten. */
  const kept = (id: string | undefined, now: number): PendingConfirmation | undefined => {
    const p = id === undefined ? undefined : pending.get(id);
    if (!p) return undefined;
    if (p.expiresAt + PENDING_KEPT_MS <= now) {
      drop(p);
      return undefined;
    }
    if (p.expiresAt <= now) lapsed.add(p.id);
    return p;
  };
  const live = (id: string | undefined, now: number): PendingConfirmation | undefined => {
    const p = kept(id, now);
    return p && !lapsed.has(p.id) && p.taken === undefined ? p : undefined;
  };
  const sweep = (now: number) => {
    // A clock that went back sweeps too: the next sweep must not wait for it to catch up.
    if (now - sweptAt < SWEEP_MS && now >= sweptAt) return;
    sweptAt = now;
    dropExpired(spent, now);
    dropExpired(cooldowns, now);
    for (const [key, seen] of windows) {
      dropExpired(seen, now);
      if (seen.size === 0) windows.delete(key);
    }
    for (const id of pending.keys()) kept(id, now);
  };

  return {
    async spend(code, issued, ttlMs, now) {
      // This memory holds only what this process spent: another process (or this one before a restart) may have spent it.
      if (!issued.byThisProcess) return "untracked";
      sweep(now);
      const until = spent.get(code);
      if (until !== undefined && until > now) return "used";
      spent.set(code, now + Math.max(1, ttlMs));
      return "spent";
    },
    async startCooldown(key, ms, now) {
      sweep(now);
      const until = cooldowns.get(key);
      if (until !== undefined && until > now) return until - now;
      cooldowns.set(key, now + ms);
      return 0;
    },
    async countInWindow(key, ids, windowMs, now) {
      sweep(now);
      const seen = windows.get(key) ?? new Map<string, number>();
      dropExpired(seen, now);
      for (const id of ids) seen.set(id, now + windowMs);
      if (seen.size > 0) windows.set(key, seen);
      else windows.delete(key);
      return seen.size;
    },
    async openPending(p, now) {
      sweep(now);
      const open = live(byBinding.get(p.binding), now);
      if (open) return { ...open };
      pending.set(p.id, { ...p });
      byBinding.set(p.binding, p.id);
      return { ...p };
    },
    async findPending(by, now) {
      sweep(now);
      const found = live("id" in by ? by.id : byBinding.get(by.binding), now);
      return found ? { ...found } : undefined;
    },
    async recallPending(by, now) {
      sweep(now);
      const found = kept("id" in by ? by.id : byBinding.get(by.binding), now);
      return found ? { ...found } : undefined;
    },
    async answerPending(id, answer, now) {
      sweep(now);
      const p = live(id, now);
      if (!p || p.answer) return false;
      p.answer = answer;
      watchers.wake(id);
      return true;
    },
    async takeAnswered(binding, now) {
      sweep(now);
      const p = live(byBinding.get(binding), now);
      if (!p?.answer) return undefined;
      p.taken = now;
      return { ...p };
    },
    async tellExpired(id, now) {
      const p = kept(id, now);
      if (!p || p.answer || !lapsed.has(id) || told.has(id)) return false;
      told.add(id);
      return true;
    },
    async countWrongName(id, _expiresAt, now) {
      // Only a confirmation this store holds is counted (so the map stays as small as `pending`); one it does not hold
      // cannot be answered anyway.
      if (!kept(id, now)) return 1;
      const n = (wrong.get(id) ?? 0) + 1;
      wrong.set(id, n);
      return n;
    },
    watchPending: (id, wake) => watchers.watch(id, wake),
  };
}

/** Who waits for which pending confirmation: a few per id at most, so small arrays (a Set each would cost more). */
export function createWatchers() {
  const byId = new Map<string, Array<() => void>>();
  return {
    watch(id: string, wake: () => void): () => void {
      // New arrays of the exact size: a pushed one would reserve room for many more.
      byId.set(id, [...(byId.get(id) ?? []), wake]);
      return () => {
        const rest = byId.get(id)?.filter((w) => w !== wake);
        if (rest?.length) byId.set(id, rest);
        else byId.delete(id);
      };
    },
    wake(id: string): void {
      for (const w of [...(byId.get(id) ?? [])]) w();
    },
    wakeAll(): void {
      for (const list of [...byId.values()]) for (const w of [...list]) w();
    },
  };
}

/**
 * Shared by every guard in the process, so a code spent in one MCP session cannot be spent again
 * in another, and the sync limit holds whichever session asks.
 */
export const PROCESS_STORE: GuardStore = createMemoryStore();

// The page's first pending-confirmation store (kept for the Redis implementation in pending-redis.ts); pages now keep pending confirmations in the GuardStore.
import { randomBytes } from "node:crypto";
import type { Actor } from "../audit.js";
import type { PageView } from "./view.js";

export type PendingState = "pending" | "confirmed" | "cancelled";

export interface PendingConfirmation {
  /** The page's id in its URL: 144 random bits, base64url. It is the only key to the page. */
  id: string;
  /** Tool, tenant, exact arguments and previewed target, hashed: how a later call of the same tool finds this one. */
  binding: string;
  view: PageView;
  /** For a typed name: the values it may match (the identity's name and alias, as ISC gave them). */
  accept: string[];
  createdAt: number;
  expiresAt: number;
  state: PendingState;
  answeredAt?: number;
  /** Wrong names typed so far; past a few, the confirmation is cancelled. */
  wrongNames: number;
  /** Set once a call used the answer (acted, or refused because of it): an answer counts once. */
  spent?: boolean;
  /** With sign-in: the person whose call asked; only they may answer, unless `fourEyes`. */
  requestedBy?: Actor;
  /** Four-eyes approval: only a different person holding the approver scope may answer. */
  fourEyes?: boolean;
  /** With sign-in: the person who answered on the page. */
  answeredBy?: Actor;
}

export type AnswerResult = { changed: true; record: PendingConfirmation } | { changed: false; record: PendingConfirmation | undefined };

/** Async throughout, so a shared implementation (Redis) fits behind the same interface. */
export interface PendingStore {
  add(record: PendingConfirmation): Promise<void>;
  get(id: string): Promise<PendingConfirmation | undefined>;
  /** The unspent confirmation for this binding, whatever its state (so a re-call can act, wait or refuse). */
  byBinding(binding: string): Promise<PendingConfirmation | undefined>;
  /** Sets the human's answer only while it is pending and unexpired: the first answer wins, later ones change nothing. */
  answer(id: string, state: "confirmed" | "cancelled", at: number, by?: Actor): Promise<AnswerResult>;
  /** Counts one wrong typed name; returns the count. */
  wrongName(id: string): Promise<number>;
  /** Marks the answer as used; true for exactly one caller. */
  spend(id: string): Promise<boolean>;
  /** Resolves with the record once answered, at its expiry, after `ms`, or when `signal` aborts, whichever is first. */
  wait(id: string, ms: number, signal?: AbortSignal): Promise<PendingConfirmation | undefined>;
}

/** 18 random bytes: 144 bits, 24 URL-safe characters. */
export function newPageId(): string {
  return randomBytes(18).toString("base64url");
}

/** Ids look like this; anything else is refused before the store is asked. */
export const PAGE_ID = /^[A-Za-z0-9_-]{24}$/;

/** Answered and expired records stay this long, so a late tab says "expired" or "already answered" rather than "no such page". */
export const RETAIN_MS = 10 * 60_000;

export function isExpired(record: PendingConfirmation, now: number): boolean {
  return record.state === "pending" && now > record.expiresAt;
}

export function createMemoryPendingStore(now: () => number = Date.now): PendingStore {
  const records = new Map<string, PendingConfirmation>();
  const bindings = new Map<string, string>();
  const waiters = new Map<string, Set<() => void>>();

  const prune = () => {
    const t = now();
    for (const [id, r] of records) {
      if (t <= r.expiresAt + RETAIN_MS) continue;
      records.delete(id);
      if (bindings.get(r.binding) === id) bindings.delete(r.binding);
    }
  };
  const wake = (id: string) => {
    for (const w of waiters.get(id) ?? []) w();
    waiters.delete(id);
  };
  // Copies out, so a caller never changes the stored record behind the store's back (as with Redis).
  const copy = (r: PendingConfirmation | undefined) => (r ? structuredClone(r) : undefined);

  return {
    async add(record) {
      prune();
      records.set(record.id, structuredClone(record));
      bindings.set(record.binding, record.id);
    },
    async get(id) {
      prune();
      return copy(records.get(id));
    },
    async byBinding(binding) {
      prune();
      const id = bindings.get(binding);
      const r = id === undefined ? undefined : records.get(id);
      return r && !r.spent ? copy(r) : undefined;
    },
    async answer(id, state, at, by) {
      const r = records.get(id);
      if (!r || r.state !== "pending" || isExpired(r, at)) return { changed: false, record: copy(r) };
      r.state = state;
      r.answeredAt = at;
      if (by) r.answeredBy = by;
      wake(id);
      return { changed: true, record: copy(r)! };
    },
    async wrongName(id) {
      const r = records.get(id);
      if (!r) return 0;
      return ++r.wrongNames;
    },
    async spend(id) {
      const r = records.get(id);
      if (!r || r.spent) return false;
      r.spent = true;
      return true;
    },
    async wait(id, ms, signal) {
      const r = records.get(id);
      if (!r || r.state !== "pending" || signal?.aborted) return copy(r);
      const bound = Math.max(0, Math.min(ms, r.expiresAt - now() + 1));
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          waiters.get(id)?.delete(done);
          resolve();
        };
        const timer = setTimeout(done, bound);
        signal?.addEventListener("abort", done, { once: true });
        if (!waiters.has(id)) waiters.set(id, new Set());
        waiters.get(id)!.add(done);
      });
      return copy(records.get(id));
    },
  };
}

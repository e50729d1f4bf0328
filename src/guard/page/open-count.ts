// How many confirmation pages this process has open (unanswered, unexpired), per session or signed-in person and in all, and the refusal past the caps.

/** Whose open confirmations a new one counts toward: an MCP session (stdio is one), or the signed-in person across their sessions. */
export interface PendingOwner {
  key: string;
  kind: "session" | "person";
}

/** --max-pending-per-session and --max-pending. */
export interface PendingLimits {
  perOwner: number;
  perProcess: number;
}

/** A new page would pass a cap; a call that joins a page already open never gets this. */
export class TooManyPending extends Error {
  override name = "TooManyPending";
  constructor(
    /** Whose cap: the caller's session, the caller (signed in), or this whole process. */
    readonly scope: "session" | "person" | "process",
    /** How many are open there now. */
    readonly open: number,
    readonly limit: number,
    /** When the first of them expires (ms since the epoch), freeing a place. */
    readonly nextExpiresAt: number,
  ) {
    super(`${open} confirmations are open (at most ${limit} per ${scope})`);
  }
}

/** A place held while a page is being opened (so concurrent calls cannot all slip under a cap), then given up or kept. */
export interface Reservation {
  /** The page was opened: it counts until `settle`, or until it expires. `stop` ends whatever watches it. */
  opened(id: string, expiresAt: number, stop?: () => void): void;
  /** No page was opened (another call's was joined, or opening failed). */
  cancel(): void;
}

export interface OpenCount {
  /** Holds a place for one more page; throws TooManyPending when that would pass a cap. */
  reserve(owner: PendingOwner | undefined, now: number): Reservation;
  /** The page was answered, used or cancelled: its place is free. Idempotent. */
  settle(id: string): void;
  /** Frees the places of expired pages: from the oldest on, or `all` of them (a full pass). */
  expire(now: number, all?: boolean): void;
  /** Open pages in this process (after the last `expire`). */
  readonly size: number;
}

interface Entry {
  owner: string | undefined;
  expiresAt: number;
  stop: (() => void) | undefined;
}

export function createOpenCount(limits: PendingLimits): OpenCount {
  /** Insertion order is opening order; pages of one process share one lifetime, so it is also expiry order. */
  const open = new Map<string, Entry>();
  const byOwner = new Map<string, Set<string>>();
  const reservedBy = new Map<string, number>();
  let reserved = 0;

  const settle = (id: string) => {
    const e = open.get(id);
    if (!e) return;
    open.delete(id);
    e.stop?.();
    if (e.owner === undefined) return;
    const mine = byOwner.get(e.owner);
    mine?.delete(id);
    if (mine?.size === 0) byOwner.delete(e.owner);
  };
  const expire = (now: number, all = false) => {
    for (const [id, e] of open) {
      if (e.expiresAt > now) {
        if (all) continue;
        break;
      }
      settle(id);
    }
  };
  const first = (ids: Iterable<string>) => {
    let min = Number.POSITIVE_INFINITY;
    for (const id of ids) min = Math.min(min, open.get(id)?.expiresAt ?? min);
    return min;
  };
  const hold = (owner: string | undefined, by: number) => {
    reserved += by;
    if (owner === undefined) return;
    const n = (reservedBy.get(owner) ?? 0) + by;
    if (n > 0) reservedBy.set(owner, n);
    else reservedBy.delete(owner);
  };

  return {
    reserve(owner, now) {
      expire(now);
      if (owner) {
        const mine = byOwner.get(owner.key);
        // At most the cap's worth: checked one by one, so a page that expired out of order frees its place too.
        for (const id of [...(mine ?? [])]) if (open.get(id)!.expiresAt <= now) settle(id);
        const n = (byOwner.get(owner.key)?.size ?? 0) + (reservedBy.get(owner.key) ?? 0);
        if (n >= limits.perOwner)
          throw new TooManyPending(owner.kind, n, limits.perOwner, first(byOwner.get(owner.key) ?? []));
      }
      if (open.size + reserved >= limits.perProcess) {
        // Only at the cap: one full pass, in case lifetimes differ.
        expire(now, true);
        if (open.size + reserved >= limits.perProcess)
          throw new TooManyPending("process", open.size + reserved, limits.perProcess, first(open.keys()));
      }
      const key = owner?.key;
      hold(key, 1);
      let done = false;
      return {
        opened(id, expiresAt, stop) {
          if (done) return stop?.();
          done = true;
          hold(key, -1);
          open.set(id, { owner: key, expiresAt, stop });
          if (key === undefined) return;
          let mine = byOwner.get(key);
          if (!mine) byOwner.set(key, (mine = new Set()));
          mine.add(id);
        },
        cancel() {
          if (done) return;
          done = true;
          hold(key, -1);
        },
      };
    },
    settle,
    expire,
    get size() {
      return open.size;
    },
  };
}

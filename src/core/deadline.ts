// A call's deadline as an AbortSignal that still fires after garbage collection, and whose timer is cleared when the call ends.

/** What a call's deadline aborts with: a "TimeoutError" (as AbortSignal.timeout's) that says how long the call had. */
export class DeadlinePassed extends DOMException {
  constructor(readonly ms: number) {
    super(`The call ran past its ${ms} ms deadline.`, "TimeoutError");
  }
}

/** A time limit as people say it: "250 ms", "1.5 s", "120 s". */
export function spokenMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

export interface Deadline {
  /** Aborts when a parent does, or with a "TimeoutError" DOMException once `ms` have passed. */
  signal: AbortSignal;
  /** Stops the timer and lets go of the parents; call it when the call is over so nothing outlives it. */
  clear(): void;
}

/**
 * Not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 a timeout signal held only by
 * `any()` can be garbage-collected before it fires, and the deadline silently never comes (seen in
 * test/isc/faults-slow.test.ts). Here the pending timer holds the controller, so the abort always happens.
 * Nor `AbortSignal.any()` over the parents: on Node 20 every `any()` leaves an entry in each parent for good,
 * and one parent (the shutdown signal) lives as long as the process. Listeners removed by clear() leave nothing.
 */
export function startDeadline(parents: AbortSignal | AbortSignal[], ms: number): Deadline {
  return new CallDeadline(parents, ms);
}

/**
 * A class, and one timer callback shared by all: a call that waits on a confirmation page holds its deadline for
 * minutes, and the closures of a function-made one (the follower, the timer's callback, `clear`, their context) were a
 * few hundred bytes of every waiting call. The first parent is the call's own signal: one listener on it. The others
 * live long and are shared by every call (the shutdown signal): each has one listener for all the deadlines that
 * follow it (a Set), not one per call, since Node keeps a listener entry and a wrapper closure for every listener added.
 */
class CallDeadline implements Deadline {
  private readonly controller = new AbortController();
  private readonly parents: AbortSignal | AbortSignal[];
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(
    parents: AbortSignal | AbortSignal[],
    readonly ms: number,
  ) {
    this.parents = parents;
    // Indexed, not `[parents].flat()` and a rest array: four arrays a call, half a deadline's cost (hot loop).
    const own = Array.isArray(parents) ? parents[0] : parents;
    if (own?.aborted) this.controller.abort(own.reason);
    else own?.addEventListener("abort", this);
    if (Array.isArray(parents))
      for (let i = 1; i < parents.length; i++) {
        const parent = parents[i]!;
        if (parent.aborted) this.controller.abort(parent.reason);
        else followersOf(parent).add(this);
      }
    this.timer = setTimeout(timedOut, ms, this);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The call's own signal aborted (EventListenerObject). */
  handleEvent(event: Event): void {
    this.abort((event.target as AbortSignal).reason);
  }

  abort(reason: unknown): void {
    this.controller.abort(reason);
  }

  /** The timer's end. */
  timeout(): void {
    this.controller.abort(new DeadlinePassed(this.ms));
  }

  clear(): void {
    clearTimeout(this.timer);
    const { parents } = this;
    if (!Array.isArray(parents)) return parents.removeEventListener("abort", this);
    parents[0]?.removeEventListener("abort", this);
    for (let i = 1; i < parents.length; i++) followers.get(parents[i]!)?.delete(this);
  }
}

/** The deadlines following each long-lived parent, aborted together by its one listener. */
const followers = new WeakMap<AbortSignal, Set<CallDeadline>>();

function followersOf(parent: AbortSignal): Set<CallDeadline> {
  let set = followers.get(parent);
  if (!set) {
    const all = (set = new Set());
    followers.set(parent, all);
    parent.addEventListener(
      "abort",
      () => {
        for (const d of all) d.abort(parent.reason);
        all.clear();
      },
      { once: true },
    );
  }
  return set;
}

function timedOut(deadline: CallDeadline): void {
  deadline.timeout();
}

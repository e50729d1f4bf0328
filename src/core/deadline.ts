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
 * A class, its own listener on the parents (`handleEvent`) and one timer callback shared by all: a call that waits
 * on a confirmation page holds its deadline for minutes, and the closures of a function-made one (the follower, the
 * timer's callback, `clear`, their context) were a few hundred bytes of every waiting call.
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
    for (const parent of [parents].flat()) {
      if (parent.aborted) this.controller.abort(parent.reason);
      else parent.addEventListener("abort", this, { once: true });
    }
    this.timer = setTimeout(timedOut, ms, this);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** A parent aborted (EventListenerObject). */
  handleEvent(event: Event): void {
    this.controller.abort((event.target as AbortSignal).reason);
  }

  /** The timer's end. */
  timeout(): void {
    this.controller.abort(new DeadlinePassed(this.ms));
  }

  clear(): void {
    clearTimeout(this.timer);
    for (const parent of [this.parents].flat()) parent.removeEventListener("abort", this);
  }
}

function timedOut(deadline: CallDeadline): void {
  deadline.timeout();
}

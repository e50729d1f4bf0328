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
  const controller = new AbortController();
  const list = [parents].flat();
  const follow = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  for (const parent of list) {
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener("abort", follow, { once: true });
  }
  const timer = setTimeout(() => controller.abort(new DeadlinePassed(ms)), ms);
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      for (const parent of list) parent.removeEventListener("abort", follow);
    },
  };
}

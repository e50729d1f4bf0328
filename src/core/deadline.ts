// A call's deadline as an AbortSignal that still fires after garbage collection, and whose timer is cleared when the call ends.

export interface Deadline {
  /** Aborts when a parent does, or with a "TimeoutError" DOMException once `ms` have passed. */
  signal: AbortSignal;
  /** Stops the timer; call it when the call is over so no timer outlives it. */
  clear(): void;
}

/**
 * Not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: on Node 20 a timeout signal held only by
 * `any()` can be garbage-collected before it fires, and the deadline silently never comes (seen in
 * test/faults-slow.test.ts). Here the pending timer holds the controller, so the abort always happens.
 */
export function startDeadline(parents: AbortSignal | AbortSignal[], ms: number): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`The call ran past its ${ms} ms deadline.`, "TimeoutError")), ms);
  return { signal: AbortSignal.any([...[parents].flat(), controller.signal]), clear: () => clearTimeout(timer) };
}

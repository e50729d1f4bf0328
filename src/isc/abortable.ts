// Waits for a promise that others share (a token refresh) only until this caller's signal aborts, without cancelling it for them.

/** Settles as `promise` does, or rejects with `signal`'s reason as soon as it aborts; `promise` runs on either way. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

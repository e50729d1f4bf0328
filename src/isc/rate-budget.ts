// Keeps this process under ISC's request rate (100 per 10 s per client id per API version) so models bursting calls meet no 429s.
import pThrottle from "p-throttle";

export interface RateLimiter {
  /** Resolves when a request may be sent; rejects with the signal's reason if the call is cancelled while waiting. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Requests waiting for a slot. */
  readonly waiting: number;
}

/**
 * A sliding window (p-throttle's strict mode): no span of `intervalMs` (ISC: 10 s) ever holds more than `limit` sends.
 * `limit` 0 disables it (for a tenant with a raised limit, or the bench's unlimited sandbox).
 */
export function createRateLimiter(limit: number, intervalMs = 10_000): RateLimiter {
  if (limit <= 0) return { acquire: async () => {}, waiting: 0 };
  const slot = pThrottle({ limit, interval: intervalMs, strict: true })(async () => undefined);
  return {
    get waiting() {
      return slot.queueSize;
    },
    async acquire(signal) {
      if (!signal) return slot();
      signal.throwIfAborted();
      // A cancelled wait still uses its slot when it comes up; that only ever makes us slower, never faster.
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
      });
      try {
        await Promise.race([slot(), aborted]);
      } finally {
        signal.removeEventListener("abort", onAbort!);
      }
    },
  };
}

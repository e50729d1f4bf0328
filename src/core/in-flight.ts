// Tool calls in progress, so shutdown lets them finish and answer (bounded), then cuts off the rest with a clear cancellation.

export interface InFlight {
  /** Aborted when shutdown stops waiting; every call's signal follows it, so a cut-off call still answers and audits. */
  readonly signal: AbortSignal;
  readonly size: number;
  /** Marks a call as started; run the returned function once it has its result. */
  start(): () => void;
  /**
   * Waits until no call is in progress or `graceMs` passed, then aborts the rest and waits up to `cutoffMs`
   * for their (cancelled) results. Resolves with how many calls had to be cut off.
   */
  drain(graceMs: number, cutoffMs?: number): Promise<number>;
}

export function createInFlight(): InFlight {
  const controller = new AbortController();
  let size = 0;
  let idle: Array<() => void> = [];

  const whenIdle = (ms: number) =>
    new Promise<void>((resolve) => {
      if (size === 0) return resolve();
      const timer = setTimeout(resolve, ms);
      idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });

  return {
    signal: controller.signal,
    get size() {
      return size;
    },
    start() {
      size++;
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        if (--size === 0) {
          const waiting = idle;
          idle = [];
          for (const resolve of waiting) resolve();
        }
      };
    },
    async drain(graceMs, cutoffMs = 1_000) {
      await whenIdle(graceMs);
      const cut = size;
      if (cut > 0) {
        controller.abort(new DOMException("The server is shutting down.", "AbortError"));
        await whenIdle(cutoffMs);
      }
      // The SDK writes a result right after the handler returns: let that happen before anything closes.
      await new Promise((resolve) => setImmediate(resolve));
      return cut;
    },
  };
}

// How a call waits for the answer to its confirmation: woken by the answer (here or on another replica), never by polling.
import type { GuardStore, PendingConfirmation } from "../store.js";

/** How often a waiting call reports progress and reads the store again, when its client asked for progress. */
export const TICK_MS = 5_000;

export interface WaitContext {
  store: GuardStore;
  now: () => number;
  tickMs: number;
}

/**
 * Resolves once the confirmation `id` is answered or gone, after `ms`, or when `signal` aborts; with its state then.
 * The store is read when the wait starts, when the store says the confirmation may have been answered, at each tick
 * (only with `onTick`, which is then told the ms waited so far) and at the end: thousands of calls can wait at once
 * for the price of their timers.
 */
export async function waitForAnswer(ctx: WaitContext, id: string, ms: number, signal?: AbortSignal, onTick?: (waitedMs: number) => Promise<void>): Promise<PendingConfirmation | undefined> {
  const { store, now, tickMs } = ctx;
  const started = now();
  const until = started + ms;
  // Set by the answer (or an abort); `sleeping` ends the current sleep early.
  let woken = false;
  let sleeping: ((byTimer: boolean) => void) | undefined;
  const wake = () => {
    woken = true;
    sleeping?.(false);
  };
  const unwatch = store.watchPending(id, wake);
  signal?.addEventListener("abort", wake);
  try {
    for (;;) {
      woken = false;
      const p = await store.findPending({ id }, now());
      if (!p || p.answer || signal?.aborted) return p;
      const t = now();
      const end = Math.min(until, p.expiresAt + 1);
      if (t >= end) return p;
      // Answered while the store was being read: read again at once.
      if (woken) continue;
      const tick = onTick ? started + tickMs * (Math.floor((t - started) / tickMs) + 1) : Number.POSITIVE_INFINITY;
      const timer = setTimeout(() => sleeping?.(true), Math.min(end, tick) - t);
      const ticked = await new Promise<boolean>((resolve) => (sleeping = resolve));
      sleeping = undefined;
      clearTimeout(timer);
      if (ticked && onTick && now() < end) await onTick(now() - started);
    }
  } finally {
    signal?.removeEventListener("abort", wake);
    unwatch();
  }
}

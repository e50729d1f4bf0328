// A clock whose waits take no real time: sleeping moves it forward, so a test of Retry-After, token lifetimes or task polling runs at once.
import type { Clock } from "../../src/core/clock.js";

export interface VirtualClock extends Clock {
  /** Every wait asked for, in ms, in order: what a test asserts instead of elapsed time. */
  readonly slept: number[];
  /** How many sleeps have not ended yet. */
  readonly sleeping: number;
  /** Moves the clock forward by hand (e.g. past a token's lifetime), ending the sleeps due by then. */
  advance(ms: number): void;
}

interface Sleeper {
  wake: number;
  resolve(): void;
}

/**
 * Starts at the real time (a call's deadline is real epoch ms) and only moves forward. By default a sleep of `ms`
 * begun at `t` ends on the next turn of the event loop with the clock at least at `t + ms`, so concurrent sleeps of
 * the same length move it once, as they would in real time. With `{ manual: true }` sleeps end only when the test
 * calls `advance` past them: for tests that must see every caller reach its wait before any wakes.
 */
export function virtualClock(options: { start?: number; manual?: boolean } = {}): VirtualClock {
  let t = options.start ?? Date.now();
  const slept: number[] = [];
  let sleepers: Sleeper[] = [];
  const wakeDue = () => {
    const due = sleepers.filter((s) => s.wake <= t);
    sleepers = sleepers.filter((s) => s.wake > t);
    for (const s of due) s.resolve();
  };
  return {
    slept,
    get sleeping() {
      return sleepers.length;
    },
    now: () => t,
    advance(ms) {
      t += ms;
      wakeDue();
    },
    sleep(ms, signal) {
      slept.push(ms);
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      const wake = t + ms;
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          sleepers = sleepers.filter((s) => s !== sleeper);
          reject(signal!.reason as Error);
        };
        const sleeper: Sleeper = {
          wake,
          resolve: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        if (options.manual) {
          sleepers.push(sleeper);
          if (wake <= t) wakeDue();
          return;
        }
        setImmediate(() => {
          if (signal?.aborted) return;
          t = Math.max(t, wake);
          sleeper.resolve();
        });
      });
    },
  };
}

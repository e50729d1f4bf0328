// Holds calls' deadlines (src/core/deadline.ts's timer) until the test lets them pass: the test, not the machine's speed, decides where a call stops.

type AnyFn = (...args: unknown[]) => void;

export interface HeldDeadlines {
  /** Every delay (ms) this process asked setTimeout for since `holdDeadlines`: what shows a call is waiting (a retry, a slot). */
  readonly scheduled: readonly number[];
  /** How many deadlines are held and not cleared (their calls still running). */
  readonly held: number;
  /** Every held deadline passes now. Throws when none is held (deadline.ts no longer sets its timer as this expects). */
  pass(): void;
  /** Every held deadline starts its full time again from now, in real time (for a point the test cannot see reached). */
  rearm(): void;
  /** Puts setTimeout and clearTimeout back. */
  restore(): void;
}

interface Held {
  fn: AnyFn;
  args: unknown[];
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * From now on a `setTimeout(timedOut, ms, deadline)` (how deadline.ts arms a call's deadline) of exactly `ms` is kept,
 * not armed; every other timer runs as usual. `named` holds another timer function of that name instead (an HTTP
 * session's `closeIdle`). Use one test at a time (not `describe.concurrent`): `pass` ends all.
 */
export function holdDeadlines(ms: number, named = "timedOut"): HeldDeadlines {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const scheduled: number[] = [];
  const held = new Map<object, Held>();
  const set = (fn: AnyFn, delay?: number, ...args: unknown[]) => {
    scheduled.push(delay ?? 0);
    if (delay === ms && typeof fn === "function" && fn.name === named) {
      // A handle clearTimeout accepts that never fires by itself: unref'd, so a held deadline keeps nothing alive.
      const handle = realSet(() => {}, 2 ** 31 - 1);
      handle.unref();
      held.set(handle, { fn, args });
      return handle;
    }
    return realSet(fn, delay, ...args);
  };
  const clear = (handle?: Parameters<typeof clearTimeout>[0]) => {
    const h = held.get(handle as object);
    if (h) {
      held.delete(handle as object);
      if (h.timer) realClear(h.timer);
    }
    realClear(handle);
  };
  globalThis.setTimeout = set as unknown as typeof setTimeout;
  globalThis.clearTimeout = clear as unknown as typeof clearTimeout;
  const live = () => [...held.values()];
  return {
    scheduled,
    get held() {
      return held.size;
    },
    pass() {
      if (held.size === 0) throw new Error("no call's deadline is held");
      for (const [handle, h] of held) {
        held.delete(handle);
        if (h.timer) realClear(h.timer);
        h.fn(...h.args);
      }
    },
    rearm() {
      if (held.size === 0) throw new Error("no call's deadline is held");
      for (const h of live()) {
        if (h.timer) realClear(h.timer);
        h.timer = realSet(() => h.fn(...h.args), ms);
      }
    },
    restore() {
      if (globalThis.setTimeout === (set as unknown)) globalThis.setTimeout = realSet;
      if (globalThis.clearTimeout === (clear as unknown)) globalThis.clearTimeout = realClear;
    },
  };
}

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
 * for the price of one small object and one timer each.
 */
export function waitForAnswer(
  ctx: WaitContext,
  id: string,
  ms: number,
  signal?: AbortSignal,
  onTick?: (waitedMs: number) => Promise<void>,
): Promise<PendingConfirmation | undefined> {
  return new Promise((resolve, reject) => new Waiter(ctx, id, ms, signal, onTick, resolve, reject).read());
}

/**
 * One waiting call as a plain object with a fixed shape and its steps on the prototype, not an async function: a
 * suspended async function keeps its whole frame and a closure per await, and its wake-ups were closures of their own
 * (about 1 KB a waiting call, 10 MB with 10,000 waiting: the bench's "waiting confirmations"). It listens to the signal
 * as an event listener object (`handleEvent`), so no function is made for that either.
 */
class Waiter {
  private readonly started: number;
  private readonly until: number;
  /** The earlier of `until` and the page's own expiry, as last read. */
  private end: number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** A store read is in progress; a wake-up meanwhile reads again once it is done. */
  private reading = false;
  private woken = false;
  private ticked = false;
  private done = false;
  private readonly unwatch: () => void;

  constructor(
    private readonly ctx: WaitContext,
    private readonly id: string,
    ms: number,
    private readonly signal: AbortSignal | undefined,
    private readonly onTick: ((waitedMs: number) => Promise<void>) | undefined,
    private readonly resolve: (p: PendingConfirmation | undefined) => void,
    private readonly reject: (err: unknown) => void,
  ) {
    this.started = ctx.now();
    this.until = this.started + ms;
    this.end = this.until;
    this.unwatch = ctx.store.watchPending(id, () => this.wake(false));
    signal?.addEventListener("abort", this);
  }

  /** The signal's abort (EventListenerObject). */
  handleEvent(): void {
    this.wake(false);
  }

  private wake(byTimer: boolean): void {
    if (this.done) return;
    if (byTimer) this.ticked = true;
    if (this.reading) this.woken = true;
    else void this.read();
  }

  async read(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.reading = true;
    const { store, now, tickMs } = this.ctx;
    try {
      for (;;) {
        this.woken = false;
        if (this.ticked) {
          this.ticked = false;
          if (this.onTick && now() < this.end) await this.onTick(now() - this.started);
        }
        const p = await store.findPending({ id: this.id }, now());
        if (!p || p.answer || this.signal?.aborted) return this.finish(p);
        const t = now();
        this.end = Math.min(this.until, p.expiresAt + 1);
        if (t >= this.end) return this.finish(p);
        // Answered (or a tick came) while the store was being read: read again at once.
        if (this.woken) continue;
        const tick = this.onTick
          ? this.started + tickMs * (Math.floor((t - this.started) / tickMs) + 1)
          : Number.POSITIVE_INFINITY;
        this.timer = setTimeout(onTimer, Math.min(this.end, tick) - t, this);
        return;
      }
    } catch (err) {
      this.finish(undefined, err);
    } finally {
      this.reading = false;
    }
  }

  private finish(p: PendingConfirmation | undefined, err?: unknown): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener("abort", this);
    this.unwatch();
    if (err !== undefined) this.reject(err);
    else this.resolve(p);
  }

  /** For the shared timer callback below (one function for every waiter, which the timer hands its waiter). */
  fire(): void {
    this.timer = undefined;
    this.wake(true);
  }
}

function onTimer(w: Waiter): void {
  w.fire();
}

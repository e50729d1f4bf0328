// Keeps every process sharing one ISC client id under ISC's request rate (100 per 10 s per client id per API version), in memory or on Redis.
import type { RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import RateLimiterMemory from "rate-limiter-flexible/lib/RateLimiterMemory.js";
import RateLimiterResClass from "rate-limiter-flexible/lib/RateLimiterRes.js";
import { planBudget } from "./budget-plan.js";

export interface RateLimiter {
  /** Resolves when a request may be sent; rejects with the signal's reason if the call is cancelled while waiting. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Requests of this process waiting for a slot. */
  readonly waiting: number;
}

/** Makes the limiter library's counter: memory by default, Redis when the caller has one. */
export type LimiterFactory = (budget: { limit: number; spanSeconds: number; keyPrefix: string }) => RateLimiterAbstract;

export interface RateLimiterOptions {
  /** The budget's name: tenant + client id + API version, as ISC counts. @default "local" */
  key?: string;
  /** @default an in-process counter (rate-limiter-flexible's memory limiter) */
  store?: LimiterFactory;
}

export const memoryStore: LimiterFactory = ({ limit, spanSeconds, keyPrefix }) => {
  const plan = planBudget(limit, spanSeconds);
  return new RateLimiterMemory({ points: plan.points, duration: plan.durationSeconds, keyPrefix });
};

/** Extra wait after a full window ends before asking again. */
const WINDOW_SLACK_MS = 50;

interface Waiter {
  resolve(): void;
  reject(reason: unknown): void;
  signal: AbortSignal | undefined;
}

/**
 * No span of `intervalMs` ever holds more than `limit` sends (see planBudget); `limit` 0 disables it.
 * Waiters of this process queue in order and only the first asks the counter, so replicas poll the
 * shared counter once each, not once per waiting call.
 */
export function createRateLimiter(limit: number, intervalMs = 10_000, options: RateLimiterOptions = {}): RateLimiter {
  if (limit <= 0) return { acquire: async () => {}, waiting: 0 };
  const counter = (options.store ?? memoryStore)({
    limit,
    spanSeconds: intervalMs / 1000,
    keyPrefix: "isc-identities-mcp:budget",
  });
  const key = options.key ?? "local";
  const queue: Waiter[] = [];
  let pumping = false;

  /** 0 when a slot was taken, else how long to wait before asking again. */
  async function take(): Promise<number> {
    try {
      await counter.consume(key);
      return 0;
    } catch (err) {
      if (!(err instanceof RateLimiterResClass)) throw err;
      // A little past the window's end, so the windows' spacing survives the jitter of the wire and of
      // busy event loops (ten windows of 1 s then span at least 10.5 s); spread so replicas do not all ask at once.
      return Math.max(5, (err as RateLimiterRes).msBeforeNext) + WINDOW_SLACK_MS + Math.floor(Math.random() * 40);
    }
  }

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length > 0) {
        const head = queue[0]!;
        let wait: number;
        try {
          wait = await take();
        } catch (err) {
          if (queue[0] === head) queue.shift();
          head.reject(err);
          continue;
        }
        if (wait === 0) {
          // A head cancelled meanwhile left the queue already: its slot goes to the next in line.
          const next = queue.shift();
          next?.resolve();
          continue;
        }
        await new Promise((r) => setTimeout(r, wait));
      }
    } finally {
      pumping = false;
    }
  }

  return {
    get waiting() {
      return queue.length;
    },
    acquire(signal) {
      signal?.throwIfAborted();
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const at = queue.indexOf(waiter);
          if (at >= 0) queue.splice(at, 1);
          reject(signal!.reason);
        };
        const waiter: Waiter = {
          resolve: () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
          reject: (reason) => {
            signal?.removeEventListener("abort", onAbort);
            reject(reason);
          },
          signal,
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        queue.push(waiter);
        void pump();
      });
    },
  };
}

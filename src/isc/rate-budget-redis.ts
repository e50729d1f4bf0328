// The request budget on Redis (rate-limiter-flexible's Redis limiter), shared by every replica; a local share while Redis is away.
import RateLimiterRedis from "rate-limiter-flexible/lib/RateLimiterRedis.js";
import type { RedisLink } from "./redis.js";
import { planBudget } from "./budget-plan.js";
import { memoryStore, type LimiterFactory } from "./rate-budget.js";

/**
 * While Redis cannot be reached each replica counts alone, so it keeps to this share of the budget:
 * up to four replicas then stay under ISC's limit together (more may meet 429s, which are waited out).
 */
export const FALLBACK_SHARE = 0.25;

export function fallbackLimit(limit: number): number {
  return Math.max(1, Math.floor(limit * FALLBACK_SHARE));
}

export function redisStore(link: RedisLink): LimiterFactory {
  return ({ limit, spanSeconds, keyPrefix }) => {
    const plan = planBudget(limit, spanSeconds);
    return new RateLimiterRedis({
      storeClient: link.client,
      keyPrefix,
      points: plan.points,
      duration: plan.durationSeconds,
      // Not connected: count locally at once rather than wait for a command timeout per request.
      rejectIfRedisNotReady: true,
      insuranceLimiter: memoryStore({ limit: fallbackLimit(limit), spanSeconds, keyPrefix: `${keyPrefix}:local` }),
    });
  };
}

// Turns "at most N requests in any 10-s span" into the fixed windows the limiter library counts in.

export interface BudgetPlan {
  /** Requests allowed per window. */
  points: number;
  /** Window length in whole seconds (Redis expires keys by the second in rate-limiter-flexible). */
  durationSeconds: number;
}

/**
 * rate-limiter-flexible counts fixed windows that open at their first request; ISC (and the sandbox)
 * count any sliding span. A span of S seconds overlaps the windows that open inside it, at most
 * ceil(S / D) of them, plus one that opened before it and whose first request it misses. So
 * P * ceil(S / D) + (P - 1) <= N holds the limit, and we pick the window giving the most requests per
 * span (ties: the longer window, for bigger bursts). N = 95 gives 16 per 2 s; N = 10 gives 1 per second.
 */
export function planBudget(limit: number, spanSeconds = 10): BudgetPlan {
  // Rounded up: holding the limit over a longer span holds it over the shorter one too.
  const span = Math.max(1, Math.ceil(spanSeconds));
  let best: BudgetPlan = { points: 1, durationSeconds: span };
  let bestRate = 1 / span;
  for (let d = 1; d <= span; d++) {
    const points = Math.floor((limit + 1) / (Math.ceil(span / d) + 1));
    if (points < 1) continue;
    const rate = points / d;
    if (rate > bestRate + 1e-9 || (Math.abs(rate - bestRate) <= 1e-9 && d > best.durationSeconds)) {
      best = { points, durationSeconds: d };
      bestRate = rate;
    }
  }
  return best;
}

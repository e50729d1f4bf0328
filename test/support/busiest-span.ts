// For budget tests: how many of a set of timestamps fall inside the busiest window of a given length.

/** The most timestamps inside any half-open span of `spanMs`. */
export function busiestSpan(times: number[], spanMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= spanMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/**
 * The timestamps (ms after `start`) that came sooner than a budget of `limit` per `spanMs` allows counting from `start`:
 * the k-th (from 0) no sooner than floor(k / limit) spans. Seen from the caller, a grant is only ever seen later than it
 * was made, so unlike busiestSpan this cannot fail on a loaded machine; empty when the budget held.
 */
export function soonerThanBudget(times: number[], start: number, limit: number, spanMs: number): number[] {
  return [...times]
    .sort((a, b) => a - b)
    .filter((t, k) => t - start < Math.floor(k / limit) * spanMs)
    .map((t) => t - start);
}

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

// Sliding-window rate limit per key (client id + API version), as the ISC gateway enforces.

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(private readonly limit: { requests: number; windowMs: number } | false) {}

  /** Records a hit and returns null, or returns the whole seconds to wait when over the limit. */
  take(key: string, now: number): number | null {
    if (!this.limit) return null;
    const { requests, windowMs } = this.limit;
    let list = this.hits.get(key);
    if (!list) this.hits.set(key, (list = []));
    while (list.length > 0 && (list[0] as number) <= now - windowMs) list.shift();
    if (list.length >= requests) {
      const oldest = list[0] ?? now;
      return Math.max(1, Math.ceil((oldest + windowMs - now) / 1000));
    }
    list.push(now);
    return null;
  }
}

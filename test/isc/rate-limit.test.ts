// The client-side limiter keeps a burst of calls under ISC's limit (100 requests per window): the sandbox never answers 429.
import { afterEach, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { createRateLimiter } from "../../src/isc/rate-budget.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/**
 * ISC's window is 10 s; here the limiter counts over 4 s (the test takes 4 s, not 10) and the sandbox over 3 s. The sandbox counts
 * a request when it arrives, the limiter when it lets it go: in a busy test process the first burst reaches the sandbox up to a
 * second after its slots were taken, and the shorter sandbox window absorbs that. Without the limiter the sandbox still says 429.
 */
const WINDOW_MS = 4_000;
const SANDBOX_WINDOW_MS = 3_000;

describe("client-side rate limiter", () => {
  it("spreads 130 concurrent calls so that ISC's limit is never hit", async () => {
    // The default budget (95 per window), over --rate-window's 4 s.
    h = await startHarness({
      sandbox: { rateLimit: { requests: 100, windowMs: SANDBOX_WINDOW_MS } },
      argv: ["--rate-limit", "95", "--rate-window", String(WINDOW_MS)],
    });
    const { plain } = pickFixtures(h.sandbox.state);
    const results = await Promise.all(Array.from({ length: 130 }, () => h.call("get_identity", { identityId: plain })));
    expect(results.filter((r) => r.isError)).toHaveLength(0);
    const api = h.sandbox.requests.filter((r) => r.path.startsWith("/v2025/"));
    expect(api).toHaveLength(130);
    expect(api.filter((r) => r.status === 429)).toHaveLength(0);
    // Some went at once; the rest waited for the window to slide: as the tenant saw them, the last came well after the
    // first (a window after its slot; half a window leaves room for a first request that arrives late under load).
    expect(api.at(-1)!.at - api[0]!.at).toBeGreaterThanOrEqual(WINDOW_MS / 2);
  }, 60_000);

  it("without it, the same burst meets ISC's 429s (the test above can fail)", async () => {
    // A minute's window here, so that however slowly a loaded machine sends the burst, 130 in it are over the limit.
    h = await startHarness({
      sandbox: { rateLimit: { requests: 100, windowMs: 60_000 } },
      argv: ["--rate-limit", "0", "--max-retry-after", "0"],
    });
    const { plain } = pickFixtures(h.sandbox.state);
    await Promise.all(Array.from({ length: 130 }, () => h.call("get_identity", { identityId: plain })));
    expect(h.sandbox.requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
  });

  it("stops waiting for a slot when the call is cancelled", async () => {
    const limiter = createRateLimiter(1, 60_000);
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error("cancelled by the client"));
    await expect(waiting).rejects.toThrow("cancelled by the client");
  });
});

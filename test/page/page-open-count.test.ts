// The count of open confirmation pages behind --max-pending-per-session and --max-pending, on an injected clock.
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";
import { createOpenCount, TooManyPending } from "../../src/guard/page/open-count.js";

const T0 = Date.parse("2026-01-01T09:00:00Z");
const alice = { key: "session:a", kind: "session" } as const;
const bob = { key: "session:b", kind: "session" } as const;

function refusal(run: () => unknown): TooManyPending {
  try {
    run();
  } catch (err) {
    if (err instanceof TooManyPending) return err;
    throw err;
  }
  throw new Error("not refused");
}

describe("open confirmation pages, counted", () => {
  it("refuses a session past its cap with how many are open and when the first expires; answering one frees its place", () => {
    const count = createOpenCount({ perOwner: 2, perProcess: 10 });
    count.reserve(alice, T0).opened("p1", T0 + 300_000);
    count.reserve(alice, T0 + 1_000).opened("p2", T0 + 301_000);
    const full = refusal(() => count.reserve(alice, T0 + 2_000));
    expect(full).toMatchObject({ scope: "session", open: 2, limit: 2, nextExpiresAt: T0 + 300_000 });
    // Another session is not held to Alice's cap.
    count.reserve(bob, T0 + 2_000).opened("p3", T0 + 302_000);
    count.settle("p1");
    count.settle("p1");
    count.reserve(alice, T0 + 3_000).opened("p4", T0 + 303_000);
    expect(count.size).toBe(3);
  });

  it("refuses past the process cap whoever asks, counts places being opened, and frees expired ones by the clock", () => {
    let stopped = 0;
    const count = createOpenCount({ perOwner: 5, perProcess: 3 });
    count.reserve(alice, T0).opened("p1", T0 + 1_000, () => stopped++);
    const opening = count.reserve(undefined, T0);
    count.reserve(bob, T0).opened("p2", T0 + 5_000);
    // Three: two open and one being opened.
    expect(refusal(() => count.reserve(bob, T0))).toMatchObject({
      scope: "process",
      open: 3,
      limit: 3,
      nextExpiresAt: T0 + 1_000,
    });
    opening.cancel();
    opening.cancel();
    const again = count.reserve(undefined, T0);
    again.opened("p3", T0 + 9_000);
    expect(() => count.reserve(alice, T0 + 999)).toThrow(TooManyPending);
    // p1 expired: its place is free, and whatever watched it was stopped.
    count.reserve(alice, T0 + 1_000).opened("p4", T0 + 10_000);
    expect(stopped).toBe(1);
    expect(count.size).toBe(3);
  });

  it("frees a page that expired out of order (a full pass at the cap)", () => {
    const count = createOpenCount({ perOwner: 5, perProcess: 2 });
    count.reserve(undefined, T0).opened("long", T0 + 100_000);
    count.reserve(undefined, T0).opened("short", T0 + 1_000);
    count.reserve(undefined, T0 + 2_000).opened("next", T0 + 60_000);
    expect(count.size).toBe(2);
  });

  it("takes its caps from --max-pending-per-session and --max-pending (or their variables), whole numbers of at least 1", () => {
    expect(resolveConfig(["--sandbox"], {}).config).toMatchObject({ maxPendingPerSession: 20, maxPending: 1000 });
    expect(
      resolveConfig(["--sandbox", "--max-pending-per-session", "3"], { ISC_MCP_MAX_PENDING: "50" }).config,
    ).toMatchObject({ maxPendingPerSession: 3, maxPending: 50 });
    expect(() => resolveConfig(["--sandbox", "--max-pending", "0"], {})).toThrow(
      "--max-pending must be a whole number of at least 1, got 0.",
    );
    expect(() => resolveConfig(["--sandbox"], { ISC_MCP_MAX_PENDING_PER_SESSION: "2.5" })).toThrow(
      "--max-pending-per-session must be a whole number of at least 1, got 2.5.",
    );
  });
});

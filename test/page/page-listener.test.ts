// The loopback listener for stdio: no port until the first confirmation, 127.0.0.1 only, closed once nothing is open.
import { afterEach, describe, expect, it } from "vitest";
import { answer, pageFixture, raw, type PageFixture } from "../support/page-fixtures.js";
import { DELETE_VIEW } from "../support/page-fixtures.js";
import { until } from "../support/until.js";

let fx: PageFixture;
afterEach(async () => fx?.close());

describe("the loopback page listener", () => {
  it("opens on the first confirmation, on 127.0.0.1 and a free port, and closes when none is open", async () => {
    fx = pageFixture({ graceMs: 1 });
    expect(fx.serving.port).toBeUndefined();
    const first = await fx.open();
    const url = new URL(first.url);
    expect(url.hostname).toBe("127.0.0.1");
    expect(Number(url.port)).toBe(fx.serving.port);
    expect(url.pathname).toBe(`/confirm/${first.id}`);
    expect(url.search + url.hash).toBe("");
    const second = await fx.open();
    expect(new URL(second.url).port).toBe(url.port);
    expect((await raw(first.url)).status).toBe(200);
    await answer(first.url, { answer: "cancel" });
    fx.pages.used(first.id);
    // Timers fire in the order they are due: a close due a grace (1 ms) after this answer would have run before this one.
    await new Promise((r) => setTimeout(r, 5));
    // The second confirmation is still open: so is the listener.
    expect((await raw(second.url)).status).toBe(200);
    fx.pages.used(second.id);
    await until(() => fx.serving.port === undefined, "the listener closed once no confirmation was open");
    // Closing takes a moment after the port is let go: until then a request may be cut off rather than refused.
    let refused: unknown;
    for (let i = 0; i < 200 && refused === undefined; i++)
      refused = await raw(second.url).then(
        () => undefined,
        (e: Error) => (/ECONNREFUSED/.test(String(e.message)) ? e : undefined),
      );
    expect(refused).toBeDefined();
    // The next confirmation opens it again.
    const third = await fx.open();
    expect((await raw(third.url)).status).toBe(200);
  });

  it("opens one page per binding, waits for the answer, and ids are long and random", async () => {
    fx = pageFixture();
    const { id, url } = await fx.open(DELETE_VIEW, { binding: "b1" });
    const again = await fx.pages.open({
      binding: "b1",
      channel: "browser",
      data: { view: DELETE_VIEW, accept: [] },
      expiresAt: Date.now() + 60_000,
    });
    expect(again.created).toBe(false);
    expect(again.pending.id).toBe(id);
    expect(again.url).toBe(url);
    const timedOut = await fx.pages.wait(id, 300);
    expect(timedOut?.answer).toBeUndefined();
    const waiting = fx.pages.wait(id, 10_000);
    await answer(url, { answer: "confirm", name: "Adam.Kennedy" });
    expect((await waiting)?.answer).toEqual({ confirmed: true });
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add((await fx.open()).id);
    expect(ids.size).toBe(50);
    for (const i of ids) expect(Buffer.from(i, "base64url").length).toBeGreaterThanOrEqual(16);
  });

  it("says once that a binding's page expired unanswered", async () => {
    let t = 5_000_000;
    fx = pageFixture({ now: () => t });
    await fx.open(DELETE_VIEW, { binding: "b2", ttlMs: 1000 });
    expect(await fx.pages.settled("b2")).toBeUndefined();
    t += 1001;
    expect(await fx.pages.settled("b2")).toBe("expired");
    expect(await fx.pages.settled("b2")).toBeUndefined();
  });
});

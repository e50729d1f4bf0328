// The loopback listener for stdio: no port until the first confirmation, 127.0.0.1 only, closed once nothing is open.
import { afterEach, describe, expect, it } from "vitest";
import { answer, pageFixture, raw, type PageFixture } from "./support/page-fixtures.js";

let fx: PageFixture;
afterEach(async () => fx?.close());

describe("the loopback page listener", () => {
  it("opens on the first confirmation, on 127.0.0.1 and a free port, and closes when none is open", async () => {
    fx = pageFixture({ graceMs: 100 });
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
    expect(await fx.pages.spend(first.id)).toBe(true);
    expect(await fx.pages.spend(first.id)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    // The second confirmation is still open: so is the listener.
    expect((await raw(second.url)).status).toBe(200);
    await fx.pages.spend(second.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(fx.serving.port).toBeUndefined();
    await expect(raw(second.url)).rejects.toThrow(/ECONNREFUSED/);
    // The next confirmation opens it again.
    const third = await fx.open();
    expect((await raw(third.url)).status).toBe(200);
  });

  it("finds a pending confirmation by its binding, waits for the answer, and ids are long and random", async () => {
    fx = pageFixture();
    const args = { identityId: "abc" };
    const { id, url } = await fx.open(undefined, { args });
    const found = await fx.pages.find({ tool: "delete_identity", tenant: "sandbox", args: { identityId: "abc" }, target: "t" });
    expect(found?.id).toBe(id);
    expect(await fx.pages.find({ tool: "delete_identity", tenant: "sandbox", args: { identityId: "abd" }, target: "t" })).toBeUndefined();
    expect(await fx.pages.find({ tool: "delete_identity", tenant: "sandbox", args, target: "changed" })).toBeUndefined();
    const t0 = Date.now();
    const timedOut = await fx.pages.wait(id, 150);
    expect(timedOut?.state).toBe("pending");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const waiting = fx.pages.wait(id, 10_000);
    await answer(url, { answer: "confirm", name: "Adam.Kennedy" });
    expect((await waiting)?.state).toBe("confirmed");
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) ids.add((await fx.open()).id);
    expect(ids.size).toBe(50);
    for (const i of ids) expect(Buffer.from(i, "base64url").length).toBeGreaterThanOrEqual(16);
  });
});

// Hostile requests to the confirmation page: nothing but the page's own answer POST changes a confirmation.
import { afterEach, describe, expect, it } from "vitest";
import { answer, pageFixture, raw, type PageFixture } from "../support/page-fixtures.js";

let fx: PageFixture;
afterEach(async () => fx?.close());

const form = "application/x-www-form-urlencoded";
const stateOf = (id: string) => fx.state(id);

describe("the confirmation page refuses", () => {
  it("an answer from a foreign Origin, and one with neither Origin nor Referer", async () => {
    fx = pageFixture();
    const { id, url } = await fx.open();
    const body = "answer=confirm&name=Adam.Kennedy";
    const foreign = await raw(url, {
      method: "POST",
      headers: { "content-type": form, origin: "http://evil.example" },
      body,
    });
    expect(foreign.status).toBe(403);
    const nullOrigin = await raw(url, {
      method: "POST",
      headers: { "content-type": form, origin: "null", referer: url },
      body,
    });
    expect(nullOrigin.status).toBe(403);
    const neither = await raw(url, { method: "POST", headers: { "content-type": form }, body });
    expect(neither.status).toBe(403);
    const foreignReferer = await raw(url, {
      method: "POST",
      headers: { "content-type": form, referer: "http://127.0.0.1:1/confirm/x" },
      body,
    });
    expect(foreignReferer.status).toBe(403);
    expect(await stateOf(id)).toBe("pending");
    // The page's own Referer, without Origin, is the page itself: accepted.
    const own = await raw(url, { method: "POST", headers: { "content-type": form, referer: url }, body });
    expect(own.status).toBe(200);
    expect(await stateOf(id)).toBe("confirmed");
  });

  it("a foreign Host (DNS rebinding), for the page and for the answer", async () => {
    fx = pageFixture();
    const { id, url } = await fx.open();
    const port = new URL(url).port;
    const page = await raw(url, { headers: { host: `evil.example:${port}` } });
    expect(page.status).toBe(403);
    expect(page.body).not.toContain("Adam.Kennedy");
    const post = await answer(url, { answer: "confirm", name: "Adam.Kennedy" }, { host: `localhost:${port}` });
    expect(post.status).toBe(403);
    expect(await stateOf(id)).toBe("pending");
  });

  it("a GET that tries to answer, and other methods", async () => {
    fx = pageFixture();
    const { id, url } = await fx.open();
    const get = await raw(`${url}?answer=confirm&name=Adam.Kennedy`);
    expect(get.status).toBe(200);
    expect(get.body).toContain('<form method="post">');
    const put = await raw(url, {
      method: "PUT",
      headers: { "content-type": form, origin: new URL(url).origin },
      body: "answer=confirm&name=Adam.Kennedy",
    });
    expect(put.status).toBe(405);
    expect(await stateOf(id)).toBe("pending");
  });

  it("a guessed id, an id of the wrong shape, and an expired one", async () => {
    let t = 1_000_000;
    fx = pageFixture({ now: () => t });
    const { id, url } = await fx.open(undefined, { ttlMs: 10_000 });
    const guessed = url.replace(id, "A".repeat(24));
    expect((await raw(guessed)).status).toBe(404);
    expect((await answer(guessed, { answer: "confirm", name: "Adam.Kennedy" })).status).toBe(404);
    expect((await raw(url.replace(id, "../../etc"))).status).toBe(404);
    t += 10_001;
    const expired = await raw(url);
    expect(expired.status).toBe(410);
    expect(expired.body).toContain("This confirmation expired");
    const late = await answer(url, { answer: "confirm", name: "Adam.Kennedy" });
    expect(late.status).toBe(410);
    expect(await stateOf(id)).toBe("gone");
    expect(await fx.pages.wait(id, 1000)).toBeUndefined();
  });

  it("an oversized body and a body that is not a form", async () => {
    fx = pageFixture();
    const { id, url } = await fx.open();
    const huge = await answer(url, { answer: "confirm", name: "Adam.Kennedy", pad: "x".repeat(20_000) });
    expect(huge.status).toBe(413);
    const json = await raw(url, {
      method: "POST",
      headers: { "content-type": "application/json", origin: new URL(url).origin },
      body: JSON.stringify({ answer: "confirm", name: "Adam.Kennedy" }),
    });
    expect(json.status).toBe(415);
    expect(await stateOf(id)).toBe("pending");
  });

  it("a second answer: it changes nothing and says the first one stands", async () => {
    fx = pageFixture();
    const { id, url } = await fx.open();
    expect((await answer(url, { answer: "cancel" })).status).toBe(200);
    const again = await answer(url, { answer: "confirm", name: "Adam.Kennedy" });
    expect(again.status).toBe(409);
    expect(again.body).toContain("already answered: cancelled");
    expect(await stateOf(id)).toBe("cancelled");
  });

  it("wrong names, and cancels after five of them", async () => {
    fx = pageFixture();
    const { id, url } = await fx.open();
    for (let i = 1; i < 5; i++) {
      const wrong = await answer(url, { answer: "confirm", name: "Adam" });
      expect(wrong.status).toBe(422);
      expect(wrong.body).toContain(`try ${5 - i} more time`);
      expect(await stateOf(id)).toBe("pending");
    }
    const last = await answer(url, { answer: "confirm", name: "" });
    expect(last.status).toBe(422);
    expect(await stateOf(id)).toBe("cancelled");
  });
});

describe("every page response", () => {
  it("carries no-store, no-referrer and a CSP with no script and no framing", async () => {
    fx = pageFixture();
    const { url } = await fx.open();
    for (const res of [
      await raw(url),
      await raw(url.replace(/[^/]+$/, "B".repeat(24))),
      await answer(url, { answer: "cancel" }),
      await answer(url, { answer: "cancel" }),
    ]) {
      expect(res.headers["cache-control"]).toBe("no-store");
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      const csp = String(res.headers["content-security-policy"]);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/script-src|unsafe-inline/);
      expect(res.headers["x-frame-options"]).toBe("DENY");
    }
  });

  it("and the log never holds the page's id", async () => {
    fx = pageFixture();
    const { id, url } = await fx.open();
    await raw(url, {
      method: "POST",
      headers: { "content-type": form, origin: "http://evil.example" },
      body: "answer=confirm",
    });
    await answer(url, { answer: "confirm", name: "akennedy" });
    expect(fx.logs()).toContain("refused POST (403)");
    expect(fx.logs()).toContain("the user confirmed delete_identity");
    expect(fx.logs()).not.toContain(id);
  });
});

describe("values on the page", () => {
  it("are HTML-escaped and show line, bidi and zero-width characters as escapes", async () => {
    fx = pageFixture();
    const { DELETE_VIEW } = await import("../support/page-fixtures.js");
    const evil = `</td></tr></table><form action="http://evil.example"><img src=x onerror=alert(1)>"'&\u2028NOTE: dry run only\u202Eevil\u200B`;
    const { url } = await fx.open({
      ...DELETE_VIEW,
      identity: { ...DELETE_VIEW.identity!, name: evil, email: evil },
      owns: [{ kind: "ROLE_OWNER role", name: evil }],
    });
    const { body } = await raw(url);
    expect(body).not.toContain("<img");
    expect(body).not.toContain('evil.example"');
    expect(body).not.toMatch(/[\u2028\u2029\u202A-\u202E\u200B-\u200F]/);
    expect(body).toContain(
      '&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;<span class="esc" title="invisible character">\\u2028</span>NOTE: dry run only<span class="esc" title="invisible character">\\u202e</span>evil<span class="esc" title="invisible character">\\u200b</span>',
    );
    expect(body.match(/<form /g)).toHaveLength(1);
  });
});

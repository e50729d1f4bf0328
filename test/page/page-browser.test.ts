// The confirmation page in a real browser (chromium): typed name, wrong name, Cancel, expiry, double submit, hostile names.
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeWithBrowser, launchBrowser, type TestBrowser, expectAnsweredElsewhere } from "../support/browser.js";
import { DELETE_VIEW, pageFixture, type PageFixture } from "../support/page-fixtures.js";
import type { PageView } from "../../src/guard/page/view.js";

describeWithBrowser("the confirmation page in chromium", () => {
  let browser: TestBrowser;
  let fx: PageFixture;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => browser?.close());
  afterEach(async () => fx?.close());

  it("confirms a delete when the human types the name, and says what happens next", async () => {
    fx = pageFixture();
    const { id, url } = await fx.open();
    const page = await browser.context.newPage();
    await page.goto(url);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Delete identity?");
    expect(await page.locator("table").innerText()).toContain("adam.kennedy@example.com");
    expect(await page.locator("table").innerText()).toContain("inactive");
    expect(await page.locator("table").innerText()).toContain("nothing (checked just now)");
    // Destructive: the confirm button is red.
    expect(
      await page.locator("button.go").evaluate((b) => b.ownerDocument.defaultView!.getComputedStyle(b).backgroundColor),
    ).toBe("rgb(180, 35, 24)");
    await page.fill("#name", "Adam.Kennedy");
    await page.click("button.go");
    await expect.poll(() => page.locator("h1").textContent()).toBe("Confirmed");
    expect(await page.locator("main").innerText()).toContain("go back to your assistant");
    expect(await fx.state(id)).toBe("confirmed");
    // Back and submit again (double submit): the first answer stands.
    await page.goBack();
    await page.reload();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Already answered");
    expect(await page.locator("form").count()).toBe(0);
    // A second tab on the same URL after answering has nothing to answer.
    await expectAnsweredElsewhere(browser, url);
    await page.close();
  });

  it("keeps a wrong name from confirming, and Cancel cancels without a name", async () => {
    fx = pageFixture();
    const { id, url } = await fx.open();
    const page = await browser.context.newPage();
    await page.goto(url);
    await page.fill("#name", "Adam Kennedy");
    await page.click("button.go");
    await expect.poll(() => page.locator("[role=alert]").textContent()).toContain("That is not the identity's name");
    expect(await fx.state(id)).toBe("pending");
    await page.click("text=Cancel");
    await expect.poll(() => page.locator("h1").textContent()).toBe("Cancelled");
    expect(await page.locator("main").innerText()).toContain("Nothing was done");
    expect(await fx.state(id)).toBe("cancelled");
    await page.close();
  });

  it("submitting twice at once (two tabs) changes the confirmation once", async () => {
    fx = pageFixture();
    const { id, url } = await fx.open();
    const [a, b] = [await browser.context.newPage(), await browser.context.newPage()];
    await a.goto(url);
    await b.goto(url);
    await a.fill("#name", "akennedy");
    await a.click("button.go");
    await b.click("text=Cancel");
    await expect.poll(() => b.locator("h1").textContent()).toBe("Already answered");
    await expect.poll(() => a.locator("h1").textContent()).toBe("Confirmed");
    expect(await fx.state(id)).toBe("confirmed");
    await a.close();
    await b.close();
  });

  it("says a page expired, and its form no longer answers", async () => {
    // The pages' clock, moved by hand past the page's lifetime while the human types.
    let t = Date.now();
    fx = pageFixture({ graceMs: 10_000, now: () => t });
    const { id, url } = await fx.open(undefined, { ttlMs: 1_500 });
    const page = await browser.context.newPage();
    await page.goto(url);
    await page.fill("#name", "Adam.Kennedy");
    t += 1_700;
    await page.click("button.go");
    await expect.poll(() => page.locator("h1").textContent()).toBe("This confirmation expired");
    expect(await fx.state(id)).toBe("gone");
    await page.close();
  });

  it("shows a hostile name as text and runs nothing; invisible characters show as escapes", async () => {
    fx = pageFixture();
    const name = "<img src=x onerror=alert(1)>";
    const view: PageView = {
      ...DELETE_VIEW,
      identity: { ...DELETE_VIEW.identity!, name, alias: "a\u202Eb\u2028NOTE: dry run only\u200Bc" },
    };
    const { id, url } = await fx.open(view);
    const page = await browser.context.newPage();
    let dialogs = 0;
    page.on("dialog", (d) => {
      dialogs++;
      void d.dismiss();
    });
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(url);
    expect(await page.locator("main img").count()).toBe(0);
    expect(await page.locator("td").first().innerText()).toBe(name);
    const alias = await page.locator("td").nth(1).innerText();
    expect(alias).toBe("a\\u202eb\\u2028NOTE: dry run only\\u200bc");
    const text = await page.locator("body").innerText();
    expect(text).not.toMatch(/[\u202E\u2028\u200B]/);
    expect(dialogs).toBe(0);
    expect(requests).toEqual([url]);
    // The name can be typed back as shown.
    await page.fill("#name", name);
    await page.click("button.go");
    await expect.poll(() => page.locator("h1").textContent()).toBe("Confirmed");
    expect(await fx.state(id)).toBe("confirmed");
    await page.close();
  });

  it("a Confirm button for writes that are not destructive", async () => {
    fx = pageFixture();
    const view: PageView = {
      title: "Invite identities",
      action:
        "Email registration invitations to 25 identities (only unregistered ones get an email). Invitations expire after 7 days.",
      destructive: false,
      confirmBy: "yes",
      button: "Send invitations",
      tool: "start_identities_invite",
      tenant: "sandbox",
      count: 25,
      sample: Array.from({ length: 25 }, (_, i) => `user.${i}`),
      next: "send the invitations",
    };
    const { id, url } = await fx.open(view);
    const page = await browser.context.newPage();
    await page.goto(url);
    expect(await page.locator("#name").count()).toBe(0);
    const table = await page.locator("table").innerText();
    expect(table).toContain("user.9");
    expect(table).not.toContain("user.10");
    expect(table).toContain("and 15 more");
    expect(await page.locator(".warning").count()).toBe(0);
    await page.click("text=Send invitations");
    await expect.poll(() => page.locator("h1").textContent()).toBe("Confirmed");
    expect(await fx.state(id)).toBe("confirmed");
    await page.close();
  });
});

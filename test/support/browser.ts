// A real browser for tests: playwright-core driving Debian's chromium (never a downloaded one), skipped locally when absent.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { describe, expect, it } from "vitest";

export const CHROMIUM = "/usr/bin/chromium";

/** The flags that work in this sandbox (no user namespaces, no GPU, no network but loopback). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why browser tests cannot run here, or undefined when they can. */
export const browserMissing: string | undefined = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is missing (Debian package chromium; .ci/run installs it)`;

/** A describe block that needs the browser: skipped with a one-line reason locally, failed under CI. */
export function describeWithBrowser(name: string, body: () => void): void {
  if (!browserMissing) describe(name, body);
  else if (process.env.CI) {
    describe(name, () =>
      it("has a browser to test with", () => {
        throw new Error(`browser tests cannot run under CI: ${browserMissing}`);
      }),
    );
  } else describe(name, () => it.skip(`skipped: ${browserMissing}`, () => {}));
}

/**
 * A browser for a test file. Close a page only once what its last click loaded is on screen (expect its h1):
 * Debian's headless chromium leaves a tab closed mid-navigation open until some other tab event, so
 * `page.close()` right after a submit can wait out the test's 20 s.
 */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh chromium with its own throw-away profile. */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "isc-mcp-chromium-"));
  // launchPersistentContext passes --user-data-dir itself; headless stays in the flags, so Playwright adds none of its own.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false,
    args: CHROMIUM_FLAGS,
    timeout: 30_000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A second tab on the URL of a page already confirmed finds nothing to answer: it says so and holds no form. */
export async function expectAnsweredElsewhere(browser: TestBrowser, url: string): Promise<void> {
  const second = await browser.context.newPage();
  await second.goto(url);
  expect(await second.locator("main").innerText()).toContain("already answered: confirmed");
  expect(await second.locator("form").count()).toBe(0);
  await second.close();
}

// Steps several confirmation tests take the same way: a delete confirmed by a code, a name typed on the page in chromium.
import { expect } from "vitest";
import type { Page } from "playwright-core";
import type { Sandbox } from "../../src/sandbox/index.js";
import type { TestBrowser } from "./browser.js";
import { deletable } from "./confirm-e2e.js";
import { writeRequests } from "./guard-helpers.js";

/** The HTTP listener on a free port, strict, each confirmation on the URL page (the flags page tests over HTTP share). */
export const HTTP_URL_PAGES = ["--http", "--port", "0", "--confirm", "strict", "--confirm-via", "url"];

type Result = { isError?: boolean; structuredContent?: Record<string, unknown> };

/** Any MCP client (either era's SDK) that calls a tool. */
export interface ToolCaller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
}

/**
 * Under --confirm auto without elicitation: the first delete only issues a code (nothing reaches ISC), the code passed
 * back deletes, and passed again it is spent; exactly one DELETE reached ISC. Returns the deleted id.
 */
export async function codeDeletesOnce(client: ToolCaller, sandbox: Sandbox): Promise<string> {
  const id = deletable(sandbox.state, 1)[0]!;
  const first = (await client.callTool({ name: "delete_identity", arguments: { identityId: id } })) as Result;
  expect(first.structuredContent?.status).toBe("confirmation_required");
  const code = first.structuredContent?.confirmationCode as string;
  expect(writeRequests(sandbox)).toEqual([]);
  const second = (await client.callTool({
    name: "delete_identity",
    arguments: { identityId: id, confirmationCode: code },
  })) as Result;
  expect(second.isError).toBeFalsy();
  expect(sandbox.state.deleted).toEqual([id]);
  const third = (await client.callTool({
    name: "delete_identity",
    arguments: { identityId: id, confirmationCode: code },
  })) as Result;
  expect(third.isError).toBe(true);
  expect(writeRequests(sandbox).filter((r) => r.method === "DELETE")).toHaveLength(1);
  return id;
}

/**
 * Opens the confirmation page in a new tab, checks it shows `name`, types the name and confirms; resolves with the tab
 * once it says "Confirmed" (close it only then: see browser.ts).
 */
export async function typeNameOnPage(browser: TestBrowser, url: string, name: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(url);
  expect(await page.locator("table").innerText()).toContain(name);
  await page.fill("#name", name);
  await page.click("button.go");
  await expect.poll(() => page.locator("h1").textContent()).toBe("Confirmed");
  return page;
}

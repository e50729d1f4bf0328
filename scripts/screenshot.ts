// `npm run screenshot`: the confirmation page as a human sees it, made from the sandbox through the real server, saved to docs/.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = fileURLToPath(new URL("../../", import.meta.url));
const cli = fileURLToPath(new URL("../src/cli/main.js", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";
const OUT = join(root, "docs", "confirm-page.png");

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`);
  // The server opens pages with BROWSER: here a script that hands us what it got (a file that leads to the page) instead of a desktop browser.
  const dir = mkdtempSync(join(tmpdir(), "isc-mcp-screenshot-"));
  const urls = join(dir, "urls");
  const browserCommand = join(dir, "browser");
  writeFileSync(browserCommand, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${urls}'\n`);
  chmodSync(browserCommand, 0o755);
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k, v]) => v !== undefined && !k.startsWith("SAIL_") && !k.startsWith("ISC_MCP_"),
    ),
  ) as Record<string, string>;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, "--sandbox", "--confirm-wait", "60", "--log-level", "warn"],
    env: { ...env, BROWSER: browserCommand },
    stderr: "ignore",
  });
  const client = new Client({ name: "screenshot", version: "1.0.0" });
  await client.connect(transport);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const listed = (await client.callTool({
      name: "list_identities",
      arguments: { filters: 'cloudStatus eq "ACTIVE"', sorters: "name", limit: 20 },
    })) as CallToolResult;
    const ids = (listed.structuredContent as { items: Array<{ id: string }> }).items.map((i) => i.id);
    // The first identity a delete would not refuse (owners and protected identities are refused before anyone is asked).
    for (const identityId of ids) {
      const before = existsSync(urls) ? readFileSync(urls, "utf8").split("\n").filter(Boolean).length : 0;
      const call = client.callTool({ name: "delete_identity", arguments: { identityId } }, undefined, {
        timeout: 90_000,
      });
      let url: string | undefined;
      for (let i = 0; i < 100 && !url; i++) {
        const raced = await Promise.race([
          call.then(() => "done" as const),
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 50)),
        ]);
        url = existsSync(urls) ? readFileSync(urls, "utf8").split("\n").filter(Boolean)[before] : undefined;
        if (raced === "done" && !url) break;
      }
      if (!url) continue;
      const page = await browser.newPage({ viewport: { width: 900, height: 760 }, deviceScaleFactor: 1 });
      await page.goto(url);
      await page.waitForURL(/\/confirm\//);
      await page.fill("#name", "");
      await page.screenshot({ path: OUT, fullPage: true });
      // Cancel, so the sandbox's identity is left as it was.
      await page.click("text=Cancel");
      await call;
      process.stdout.write(`wrote ${OUT}\n`);
      return;
    }
    throw new Error("no identity in the sandbox could be offered for deletion");
  } finally {
    await browser.close();
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshot failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

// For end-to-end confirmation tests: the built CLI over stdio with BROWSER pointing at a script that hands each page to the test.
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { SandboxState } from "../../src/sandbox/model.js";

export interface BrowserScript {
  /** The BROWSER value. */
  command: string;
  /** Where each file the server handed the "browser" leads (the page URLs), in order, as a browser would follow it. */
  urls(): string[];
  /** What the server handed the "browser": its argument each time, in order. */
  handed(): string[];
  /** Resolves with the n-th page URL (1-based) once the server has opened it. */
  nth(n: number, timeoutMs?: number): Promise<string>;
}

/** The page a file handed to the browser leads to: its meta refresh target. */
export function pageUrlOf(html: string): string | undefined {
  return /http-equiv="refresh" content="0;url=([^"]+)"/.exec(html)?.[1]?.replaceAll("&amp;", "&");
}

/** Complete lines only: a line the script is still writing has no newline yet. */
const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(0, -1) : []);

/**
 * A BROWSER script that records its argument and a copy of the file it points at (the server deletes
 * that file once the page is answered), then exits 0 as a browser handing a URL to a running one does.
 */
export function browserScript(): BrowserScript {
  const dir = mkdtempSync(join(tmpdir(), "isc-mcp-browser-"));
  const args = join(dir, "args");
  const pages = join(dir, "pages");
  const command = join(dir, "browser");
  writeFileSync(
    command,
    `#!/bin/sh\nprintf '%s\\n' "$1" >> '${args}'\n{ tr -d '\\n' < "\${1#file://}"; printf '\\n'; } >> '${pages}'\n`,
  );
  chmodSync(command, 0o755);
  const urls = () => lines(pages).map((html) => pageUrlOf(html) ?? `(no page in ${JSON.stringify(html.slice(0, 80))})`);
  return {
    command,
    urls,
    handed: () => lines(args),
    async nth(n, timeoutMs = 15_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const u = urls()[n - 1];
        if (u) return u;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`the server did not open page ${n} within ${timeoutMs} ms`);
    },
  };
}

/** Ids of identities a delete would succeed on (not protected, owning nothing). */
export function deletable(state: SandboxState, n: number): string[] {
  const ids = [...state.identities.keys()].filter(
    (id) => !state.flags.get(id)?.protected && (state.ownership.get(id)?.length ?? 0) === 0,
  );
  if (ids.length < n) throw new Error(`only ${ids.length} deletable identities`);
  return ids.slice(0, n);
}

/** A local X display number no X server listens on (neither its socket file nor an abstract socket): a DISPLAY that shows nothing. */
export function unusedXDisplay(): number {
  const free = [...Array(100).keys()]
    .map((n) => 900 + n)
    .find(
      (n) =>
        !existsSync(`/tmp/.X11-unix/X${n}`) && !readFileSync("/proc/net/unix", "utf8").includes(`/tmp/.X11-unix/X${n}`),
    );
  if (free === undefined) throw new Error("no unused X display between :900 and :999");
  return free;
}

export const textOf = (r: CallToolResult): string => r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");

/** Everything a model or a log reader sees of a result, as one string to search. */
export const seenOf = (r: CallToolResult): string => JSON.stringify(r);

// For end-to-end confirmation tests: the built CLI over stdio with BROWSER pointing at a script that hands each URL to the test.
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { SandboxState } from "../../src/sandbox/model.js";

export interface BrowserScript {
  /** The BROWSER value. */
  command: string;
  /** Every URL the server asked the "browser" to open, in order. */
  urls(): string[];
  /** Resolves with the n-th URL (1-based) once the server has opened it. */
  nth(n: number, timeoutMs?: number): Promise<string>;
}

export function browserScript(): BrowserScript {
  const dir = mkdtempSync(join(tmpdir(), "isc-mcp-browser-"));
  const file = join(dir, "urls");
  const command = join(dir, "browser");
  writeFileSync(command, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${file}'\n`);
  chmodSync(command, 0o755);
  const urls = () => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);
  return {
    command,
    urls,
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
  const ids = [...state.identities.keys()].filter((id) => !state.flags.get(id)?.protected && (state.ownership.get(id)?.length ?? 0) === 0);
  if (ids.length < n) throw new Error(`only ${ids.length} deletable identities`);
  return ids.slice(0, n);
}

export const textOf = (r: CallToolResult): string => r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");

/** Everything a model or a log reader sees of a result, as one string to search. */
export const seenOf = (r: CallToolResult): string => JSON.stringify(r);

// A private file that sends the browser on to a confirmation page, so the page's URL (its only key) is in no process's argument list.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";
import { escapeHtml } from "./escape.js";

/** One page's file: the browser command gets `fileUrl`, which says nothing of the page on its own. */
export interface Handoff {
  fileUrl: string;
  path: string;
  /** Deletes the file (once the page is answered or expired, or the open failed); harmless twice. */
  remove(): void;
}

export interface Handoffs {
  write(pageUrl: string): Handoff;
  /** Deletes every file and the folder (at exit). */
  removeAll(): void;
}

/** What the file holds: a script redirect that leaves no history entry, meta refresh without script, a link as the last resort. */
export function handoffHtml(pageUrl: string): string {
  const attr = escapeHtml(pageUrl);
  const js = JSON.stringify(pageUrl).replace(/</g, "\\u003c");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${attr}"><title>Opening the confirmation page</title><script>location.replace(${js})</script></head><body><p><a href="${attr}">Open the confirmation page</a></p></body></html>\n`;
}

/**
 * Files live in one folder per process, made on first use under the system's temporary folder with
 * mode 0700 (mkdtemp's own, set again in case a umask or platform differs), each file 0600 and
 * created exclusively: only this user can read where a page is. Other local users see the file's
 * name in the browser's command line, and a name that is not the page's id.
 */
export function createHandoffs(parent: () => string = tmpdir): Handoffs {
  let folder: string | undefined;
  const files = new Set<string>();
  const removeAll = () => {
    if (folder) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
    files.clear();
  };
  return {
    write(pageUrl) {
      if (!folder) {
        folder = mkdtempSync(join(parent(), "isc-mcp-confirm-"));
        chmodSync(folder, 0o700);
        // The files outlive no server: whatever ends it (a signal's shutdown ends in process.exit too) runs this.
        process.once("exit", removeAll);
      }
      const path = join(folder, `${randomBytes(12).toString("hex")}.html`);
      writeFileSync(path, handoffHtml(pageUrl), { mode: 0o600, flag: "wx" });
      files.add(path);
      return {
        fileUrl: pathToFileURL(path).href,
        path,
        remove() {
          if (!files.delete(path)) return;
          rmSync(path, { force: true });
        },
      };
    },
    removeAll,
  };
}

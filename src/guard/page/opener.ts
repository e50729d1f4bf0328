// Opens a confirmation page in the user's browser: the BROWSER command if set, else the `open` package where a desktop exists.
import { existsSync } from "node:fs";
import { nodeChildProcess } from "../../core/builtins.js";
import { createHandoffs, type Handoffs } from "./handoff.js";

/** A page handed to the browser; `discard` deletes what it was handed once the page is answered or expired. */
export interface OpenedPage {
  discard(): void;
}

export type BrowserOpener =
  | { available: true; how: string; open(url: string): Promise<OpenedPage> }
  | { available: false; why: string };

export interface OpenerEnvironment {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Where the files that lead to a page are written. @default one private folder per process */
  handoffs?: Handoffs;
}

let processHandoffs: Handoffs | undefined;

/** BROWSER's command words: the whole value when it names a file (paths may hold spaces), else split on whitespace. */
export function browserCommand(value: string): string[] {
  const first = value.split(":")[0]!.trim();
  if (existsSync(value)) return [value];
  return first.split(/\s+/).filter(Boolean);
}

/** Whether a desktop session can show a browser: macOS and Windows consoles, X11 or Wayland elsewhere. */
export function hasDesktop(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  const remote = Boolean(env.SSH_CONNECTION || env.SSH_TTY);
  if (platform === "darwin" || platform === "win32") return !remote;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * The browser gets a file URL, never the page's URL: on a shared machine any user can read every
 * process's arguments (/proc/<pid>/cmdline), and the URL is the only key to the page. The file, in a
 * private folder, sends the browser on. The command runs without a shell, and its output goes
 * nowhere: on stdio, our stdout is the MCP stream.
 */
export function browserOpener(where: OpenerEnvironment = {}): BrowserOpener {
  const env = where.env ?? process.env;
  const platform = where.platform ?? process.platform;
  const handoffs = () => where.handoffs ?? (processHandoffs ??= createHandoffs());
  const browser = env.BROWSER?.trim();
  if (browser) {
    const [command, ...rest] = browserCommand(browser);
    if (command) {
      return {
        available: true,
        how: "the BROWSER command",
        open: (url) =>
          new Promise<OpenedPage>((resolve, reject) => {
            const handoff = handoffs().write(url);
            const target = handoff.fileUrl;
            const args = rest.some((a) => a.includes("%s")) ? rest.map((a) => a.replaceAll("%s", target)) : [...rest, target];
            const child = nodeChildProcess().spawn(command, args, { stdio: "ignore", detached: platform !== "win32", shell: false });
            child.once("error", (err) => {
              handoff.remove();
              reject(new Error(`BROWSER could not be started: ${err.message}`));
            });
            child.once("spawn", () => {
              child.unref();
              resolve({ discard: handoff.remove });
            });
          }),
      };
    }
  }
  if (!hasDesktop(env, platform)) return { available: false, why: "no BROWSER command is set and no desktop session was found (no DISPLAY or WAYLAND_DISPLAY, or an SSH session)" };
  return {
    available: true,
    how: "the system's default browser",
    async open(url) {
      const handoff = handoffs().write(url);
      try {
        // Loaded on first use only: most sessions never open a page.
        const { default: open } = await import("open");
        const child = await open(handoff.fileUrl);
        child.once("error", () => {});
      } catch (err) {
        handoff.remove();
        throw err;
      }
      return { discard: handoff.remove };
    },
  };
}

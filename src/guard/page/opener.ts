// Opens a confirmation page in the user's browser: the BROWSER command if set, else the `open` package where a desktop exists.
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { noDesktop } from "./desktop.js";
import { createHandoffs, type Handoffs } from "./handoff.js";

/** A page handed to the browser; `discard` deletes what it was handed once the page is answered or expired. */
export interface OpenedPage {
  discard(): void;
}

export type BrowserOpener =
  { available: true; how: string; open(url: string): Promise<OpenedPage> } | { available: false; why: string };

export interface OpenerEnvironment {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** How long a browser command may run before it counts as having opened the page (--browser-grace). @default 2000 */
  graceMs?: number;
  /** Where the files that lead to a page are written. @default one private folder per process */
  handoffs?: Handoffs;
  /** Starts the desktop's opener with a target (the `open` package); tests may point it elsewhere. */
  openWith?: (target: string) => Promise<ChildProcess>;
}

export const DEFAULT_GRACE_MS = 2_000;

let processHandoffs: Handoffs | undefined;

/** BROWSER's command words: the whole value when it names a file (paths may hold spaces), else split on whitespace. */
export function browserCommand(value: string): string[] {
  const first = value.split(":")[0]!.trim();
  if (existsSync(value)) return [value];
  return first.split(/\s+/).filter(Boolean);
}

/**
 * When a launched opener has failed: it could not be started, or it ended with a non-zero status
 * (or a signal) within `graceMs`. One that exited 0 (it handed the page to a running browser, or
 * launched one and returned) or still runs when the grace is over (it is the browser) has opened
 * it. Resolves with the failure, or undefined. More cannot be known from here: an opener that
 * exits 0 although its browser failed (xdg-open may) looks like success.
 */
export function launchOutcome(child: ChildProcess, graceMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const ended = (code: number | null, signal: NodeJS.Signals | null): string | undefined =>
      code === 0 ? undefined : signal ? `was ended by ${signal}` : `exited with status ${code}`;
    const finish = (failure: string | undefined) => {
      clearTimeout(timer);
      child.off("exit", onExit);
      child.off("error", onError);
      child.unref();
      resolve(failure);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => finish(ended(code, signal));
    const onError = (err: Error) => finish(`could not be started: ${err.message}`);
    const timer = setTimeout(() => finish(undefined), graceMs);
    child.once("exit", onExit);
    child.once("error", onError);
    // Already over before we listened (the `open` package waits for its launcher on Windows).
    if (child.exitCode !== null || child.signalCode !== null) finish(ended(child.exitCode, child.signalCode));
  });
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
  const graceMs = where.graceMs ?? DEFAULT_GRACE_MS;
  const handoffs = () => where.handoffs ?? (processHandoffs ??= createHandoffs());
  const opened = async (
    how: string,
    url: string,
    launch: (target: string) => ChildProcess | Promise<ChildProcess>,
  ): Promise<OpenedPage> => {
    const handoff = handoffs().write(url);
    let failure: string | undefined;
    try {
      // A spawned command is watched before its "error" (not found, not executable) is emitted: spawn emits it on the
      // next tick, and the awaits from spawn to launchOutcome's listeners are microtasks, which run before it.
      const launched = launch(handoff.fileUrl);
      failure = await launchOutcome(launched instanceof Promise ? await launched : launched, graceMs);
    } catch (err) {
      failure = `could not be started: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (failure === undefined) return { discard: handoff.remove };
    handoff.remove();
    throw new Error(`${how} ${failure}`);
  };

  const browser = env.BROWSER?.trim();
  if (browser) {
    const [command, ...rest] = browserCommand(browser);
    if (command) {
      return {
        available: true,
        how: "the BROWSER command",
        // node:child_process is loaded by the first page opened, like the `open` package below: a start loads neither.
        open: (url) =>
          opened("BROWSER", url, async (target) => {
            const { spawn } = await import("node:child_process");
            const args = rest.some((a) => a.includes("%s"))
              ? rest.map((a) => a.replaceAll("%s", target))
              : [...rest, target];
            return spawn(command, args, {
              stdio: "ignore",
              detached: platform !== "win32",
              shell: false,
            });
          }),
      };
    }
  }
  const why = noDesktop(env, platform);
  if (why)
    return { available: false, why: `no BROWSER command is set and no desktop session can show a browser (${why})` };
  // Loaded on first use only: most sessions never open a page.
  const openWith = where.openWith ?? (async (target: string) => (await import("open")).default(target));
  return {
    available: true,
    how: "the system's default browser",
    open: (url) => opened("the system's browser opener", url, openWith),
  };
}

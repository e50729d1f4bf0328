// Where the pages are served: a fixed public base URL (the HTTP transport mounts them), or a loopback listener opened on demand.
import type { Server } from "node:http";
import type { Logger } from "../../core/log.js";
import type { PageRequestHandler } from "./loopback-listener.js";

export type { PageRequestHandler };

export interface PageServing {
  /** The base URL pages live under (…/confirm/<id>); a loopback listener starts on the first call. */
  base(): Promise<string>;
  /** The page origin, once known (the handler checks Origin and Host against it); "" before. */
  origin(): string;
  /** Why a user's browser cannot reach the pages (then no channel may point at them), or undefined. */
  unreachable(): string | undefined;
  /** Keeps a loopback listener open for this confirmation until `until` or `release`. */
  hold(id: string, until: number): void;
  release(id: string): void;
  close(): Promise<void>;
}

/** Where pages live on the HTTP transport's listener: --public-url, else the bind address (unknown for a wildcard bind). */
export function pageBase(settings: { host: string; publicUrl?: string | undefined }, port: number): string | undefined {
  if (settings.publicUrl) return settings.publicUrl;
  if (["0.0.0.0", "::", "[::]"].includes(settings.host)) return undefined;
  return `http://${settings.host.includes(":") ? `[${settings.host}]` : settings.host}:${port}/`;
}

/** Why a wildcard bind without --public-url has no page URL. */
export const NO_PUBLIC_URL =
  "this HTTP server is bound to a wildcard address and has no --public-url, so it does not know the address users' browsers reach it at";

/**
 * Pages under a URL the operator gave (--public-url) or the HTTP transport's own address, served by
 * that transport's listener; `baseUrl` is read when needed (the port is known only once it listens).
 */
export function fixedServing(
  baseUrl: string | (() => string | undefined),
  why = "the pages have no URL a browser can reach",
): PageServing {
  const base = () => {
    const b = typeof baseUrl === "string" ? baseUrl : baseUrl();
    return b === undefined ? undefined : b.endsWith("/") ? b : `${b}/`;
  };
  return {
    async base() {
      const b = base();
      if (b === undefined) throw new Error(why);
      return b;
    },
    origin: () => {
      const b = base();
      return b === undefined ? "" : new URL(b).origin;
    },
    unreachable: () => (base() === undefined ? why : undefined),
    hold() {},
    release() {},
    close: async () => {},
  };
}

export interface LoopbackOptions {
  log: Logger;
  /** How long the listener stays open after its last confirmation ends (so a late tab still reads "expired"). @default 60000 */
  graceMs?: number;
  now?: () => number;
}

/**
 * For stdio: a listener on 127.0.0.1 and a free port, opened by the first confirmation and closed
 * once no confirmation is open, so a server that never confirms anything never opens a port.
 */
export function loopbackServing(
  handler: () => PageRequestHandler,
  opts: LoopbackOptions,
): PageServing & { readonly port: number | undefined } {
  const now = opts.now ?? Date.now;
  const graceMs = opts.graceMs ?? 60_000;
  const holds = new Map<string, number>();
  let server: Server | undefined;
  let starting: Promise<string> | undefined;
  let origin = "";
  let port: number | undefined;
  let timer: NodeJS.Timeout | undefined;

  const stop = async () => {
    const s = server;
    server = undefined;
    starting = undefined;
    port = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    opts.log.debug("confirmation pages: loopback listener closed (no confirmation open)");
  };
  // The listener closes once every hold has ended and a grace has passed. The timer is set for the latest hold's end
  // (a new hold moves it only when it ends later), so holding costs the same with one confirmation open or thousands;
  // the holds are looked through only when it fires.
  let latest = Number.NEGATIVE_INFINITY;
  const arm = (at: number) => {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, at - now()) + graceMs);
    timer.unref();
  };
  const check = () => {
    const t = now();
    latest = Number.NEGATIVE_INFINITY;
    for (const [id, until] of holds) {
      if (until <= t) holds.delete(id);
      else latest = Math.max(latest, until);
    }
    if (holds.size === 0) void stop();
    else arm(latest);
  };

  // The listener's module (and node:http with it) is loaded here, by the first page: a start that never confirms
  // anything loads neither.
  const start = () =>
    (starting ??= import("./loopback-listener.js")
      .then(({ listenOnLoopback }) => listenOnLoopback(handler, opts.log))
      .then((listening) => {
        server = listening.server;
        port = listening.port;
        origin = `http://127.0.0.1:${port}`;
        // The port itself is no secret; the page ids are.
        opts.log.debug(`confirmation pages: loopback listener on 127.0.0.1:${port}`);
        return `${origin}/`;
      }));

  return {
    base: start,
    origin: () => origin,
    unreachable: () => undefined,
    hold(id, until) {
      holds.set(id, until);
      if (until > latest) arm((latest = until));
    },
    release(id) {
      holds.delete(id);
      if (holds.size === 0) arm((latest = now()));
    },
    async close() {
      clearTimeout(timer);
      holds.clear();
      latest = Number.NEGATIVE_INFINITY;
      await stop();
    },
    get port() {
      return port;
    },
  };
}

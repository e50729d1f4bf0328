// ky, loaded on first use: importing it probes fetch support, which loads undici (~35 ms), a cost that start-up should not pay.
import type { HTTPError, TimeoutError } from "ky";

/** ky, and the `fetch` it is given for ISC (undici-fetch.ts: undici is a vendored file in the bundle). */
export interface Http {
  ky: typeof import("ky").default;
  fetch: typeof fetch;
}

let loading: Promise<Http> | undefined;

/**
 * Loads ky and its transport once, for every ISC request (client.ts, auth.ts). serve.ts also calls it once start-up is
 * over and before the heap flag, since a Node module loaded after any V8 flag compiles from source
 * (src/cli/boot/v8-flags.ts): the first tool call then finds them loaded.
 */
export function loadHttp(): Promise<Http> {
  return (loading ??= Promise.all([import("ky"), import("./undici-fetch.js")]).then(([k, t]) => ({
    ky: k.default,
    fetch: t.undiciFetch,
  })));
}

/** ky's HTTPError, recognised without importing ky at start-up. */
export function isHttpError(error: unknown): error is HTTPError {
  return error instanceof Error && error.name === "HTTPError" && "response" in error;
}

/** ky's per-request TimeoutError (it carries the request); a deadline's DOMException of the same name does not. */
export function isKyTimeout(error: unknown): error is TimeoutError {
  return error instanceof Error && error.name === "TimeoutError" && "request" in error;
}

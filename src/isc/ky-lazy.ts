// ky, loaded on first use: importing it probes fetch support, which loads undici (~35 ms), a cost that start-up should not pay.
import type { HTTPError, TimeoutError } from "ky";

type KyModule = typeof import("ky");
let loading: Promise<KyModule> | undefined;

export function loadKy(): Promise<KyModule> {
  return (loading ??= import("ky"));
}

let sending: Promise<typeof fetch> | undefined;

/** ky's `fetch` for ISC (undici-fetch.ts), loaded on first use like ky: undici is a vendored file in the bundle. */
export function loadTransport(): Promise<typeof fetch> {
  return (sending ??= import("./undici-fetch.js").then((m) => m.undiciFetch));
}

/**
 * Loads what the first ISC request would: ky (whose import probes Node's Request, Response and streams), its transport
 * (undici, zlib). serve.ts runs it once start-up is over and before the heap flag, since a Node module loaded after any
 * V8 flag compiles from source (src/cli/boot/v8-flags.ts): the first tool call then finds them loaded.
 */
export async function preloadTransport(): Promise<void> {
  await Promise.all([loadKy(), loadTransport()]);
}

/** ky's HTTPError, recognised without importing ky at start-up. */
export function isHttpError(error: unknown): error is HTTPError {
  return error instanceof Error && error.name === "HTTPError" && "response" in error;
}

/** ky's per-request TimeoutError (it carries the request); a deadline's DOMException of the same name does not. */
export function isKyTimeout(error: unknown): error is TimeoutError {
  return error instanceof Error && error.name === "TimeoutError" && "request" in error;
}

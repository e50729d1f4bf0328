// Node built-ins that a server start does not use, loaded on first use: each costs a start 2–5 ms to load.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

function lazy<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}

/** Confirmation codes, page ids and keys: needed at the first write, not at start. */
export const nodeCrypto = lazy<typeof import("node:crypto")>("node:crypto");
/** The loopback confirmation page of a stdio server: opened by the first confirmation that needs it. */
export const nodeHttp = lazy<typeof import("node:http")>("node:http");
/** Opening the user's browser: only when a confirmation asks for it. */
export const nodeChildProcess = lazy<typeof import("node:child_process")>("node:child_process");

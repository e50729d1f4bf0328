// Node built-ins that a server start does not use, loaded on first use: together they cost a start ~11 ms of CPU (bench tricks).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

function lazy<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(id) as T);
}

/** The loopback confirmation page of a stdio server: opened by the first confirmation that needs it. */
export const nodeHttp = lazy<typeof import("node:http")>("node:http");
/** Opening the user's browser: only when a confirmation asks for it. */
export const nodeChildProcess = lazy<typeof import("node:child_process")>("node:child_process");

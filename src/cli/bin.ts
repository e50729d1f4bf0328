#!/usr/bin/env node
// The shipped entry (dist/bundle/src/cli/main.js, built as a CommonJS script: see scripts/bundle.ts): runs the CLI bundle beside it, cli.cjs,
// through a code cache. Kept to Node built-ins and two small files, so it adds nothing a start would notice.
import { fileURLToPath } from "node:url";
import { applyV8Flags } from "./boot/v8-flags.js";
import { runWithCompileCache } from "./boot/compile-cache.js";

/** A hash of cli.cjs, put here by scripts/bundle.ts. */
declare const __ISC_MCP_BUNDLE_KEY__: string | undefined;

// Before compiling: V8 accepts a code cache only under the flags it was made with, and serve.ts sets these anyway.
applyV8Flags();
runWithCompileCache(
  fileURLToPath(new URL("./cli.cjs", import.meta.url)),
  typeof __ISC_MCP_BUNDLE_KEY__ === "string" ? __ISC_MCP_BUNDLE_KEY__ : "unbundled",
);

#!/usr/bin/env node
// The shipped entry (dist/bundle/src/cli/main.js, built as a CommonJS script: see scripts/bundle.ts): runs the CLI bundle beside it, cli.cjs,
// through a code cache. Kept to Node built-ins and two small files, so it adds nothing a start would notice.
import { fileURLToPath } from "node:url";
import { runWithCompileCache } from "./boot/compile-cache.js";

/** A hash of cli.cjs, put here by scripts/bundle.ts. */
declare const __ISC_MCP_BUNDLE_KEY__: string | undefined;

// No V8 flag first: Node's own modules, loaded as the bundle runs, keep their built-in code (src/cli/boot/v8-flags.ts).
runWithCompileCache(
  fileURLToPath(new URL("./cli.cjs", import.meta.url)),
  typeof __ISC_MCP_BUNDLE_KEY__ === "string" ? __ISC_MCP_BUNDLE_KEY__ : "unbundled",
);

#!/usr/bin/env node
// The command-line entry: resolve config, then serve (stdio or HTTP), or run the config, init, demo or sandbox command.
// Start-up rule: only the serve path is imported statically; every other command (and every optional feature further
// down) is an `await import()`, which the bundle runs only when first imported (scripts/bundle.ts).
import "./boot/zod-jitless.js";
import { ConfigError } from "../core/errors.js";
import { helpText, resolveConfig } from "../config/resolve.js";
import { loadConfigFiles } from "../config/files.js";
import { serve } from "./serve.js";
import { TOOLS } from "../../tools/index.js";
import { PACKAGE } from "../core/version.js";
import { fileURLToPath } from "node:url";

async function main(): Promise<number> {
  const files = await loadConfigFiles();
  // The catalog's names, so resolution checks --tools and --exclude-tools with every other option (serve loads them anyway).
  const resolved = resolveConfig(process.argv.slice(2), process.env, files, { tools: TOOLS.map((t) => t.name) });
  const print = (text: string) => process.stdout.write(text + "\n");
  switch (resolved.command) {
    case "help":
      print(helpText());
      return 0;
    case "version":
      print(PACKAGE.version);
      return 0;
    case "config":
      return (await import("./config.js")).runConfigCommand(resolved, {
        out: print,
        fileProblems: files.problems ?? [],
      });
    case "init": {
      const [{ runInit }, { detectInvocation }] = await Promise.all([import("./init.js"), import("./invocation.js")]);
      // This file is the entry whether tsc-built or bundled, so hosts are told to start exactly it.
      return runInit(resolved, {
        out: print,
        note: (line) => process.stderr.write(line + "\n"),
        invocation: detectInvocation({
          entry: fileURLToPath(import.meta.url),
          execPath: process.execPath,
          globalPrefix: process.env.npm_config_prefix,
        }),
      });
    }
    case "demo":
      return (await import("./demo.js")).runDemo(import.meta.url);
    case "sandbox":
      await (await import("./sandbox.js")).runSandbox(resolved);
      return -1; // keep running until a signal
    case "serve":
      await serve(resolved.config, resolved.config.sandbox ? undefined : resolved.notes);
      return -1; // keep running until a signal or the end of stdin
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    const listen = err as NodeJS.ErrnoException & { port?: number; address?: string };
    const message =
      err instanceof ConfigError
        ? err.message
        : listen.code === "EADDRINUSE"
          ? `port ${listen.port ?? ""} of ${listen.address ?? "this host"} is already in use: pick another with --port (0 takes a free one), or stop what listens there.`
          : `failed to start: ${err instanceof Error ? err.message : String(err)}`;
    process.stderr.write(`isc-identities-mcp: ${message}\n`);
    process.exit(2);
  },
);

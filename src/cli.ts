#!/usr/bin/env node
// The command-line entry: resolve config, connect to the tenant (or sandbox), serve MCP over stdio.
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { ConfigError, helpText, resolveConfig } from "./config.js";
import { connectBackend } from "./backend.js";
import { createLogger, registerSecret } from "./log.js";
import { createServer } from "./server.js";
import { PACKAGE } from "./version.js";

async function main(): Promise<number> {
  const resolved = resolveConfig(process.argv.slice(2), process.env);
  if (resolved.command === "help") {
    process.stdout.write(helpText() + "\n");
    return 0;
  }
  if (resolved.command === "version") {
    process.stdout.write(`${PACKAGE.version}\n`);
    return 0;
  }
  registerSecret(resolved.config.clientSecret);
  const log = createLogger(resolved.config.logLevel);
  const backend = await connectBackend(resolved.config);
  const server = createServer({ config: backend.config, isc: backend.isc, log });
  const transport = new StdioServerTransport();

  let closing = false;
  const shutdown = async (why: string) => {
    if (closing) return;
    closing = true;
    log.info(`shutting down (${why})`);
    await server.close().catch(() => {});
    await backend.close().catch(() => {});
    process.exit(0);
  };
  process.stdin.on("end", () => void shutdown("stdin closed"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));

  await server.connect(transport);
  const target = backend.sandbox ? `sandbox tenant at ${backend.config.baseUrl}` : backend.isc.tenant;
  log.info(`${PACKAGE.name} ${PACKAGE.version} serving MCP on stdio; ${backend.config.apiVersion} of ${target}`);
  return -1; // keep running
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    const message = err instanceof ConfigError ? err.message : `failed to start: ${err instanceof Error ? err.message : String(err)}`;
    process.stderr.write(`isc-identities-mcp: ${message}\n`);
    process.exit(2);
  },
);

// `isc-identities-mcp sandbox`: the fake ISC tenant alone on loopback, so several servers (and other ISC clients) share one tenant.
import type { Resolved } from "../config/resolve.js";
import { createLogger } from "../core/log.js";
import { createSandbox, serveSandbox } from "../sandbox/index.js";

export async function runSandbox(resolved: Resolved): Promise<void> {
  const { config, sources } = resolved;
  const log = createLogger(config.logLevel);
  // Its credentials are printed for anyone to use: it never listens beyond this machine.
  const sandbox = createSandbox({ identities: config.sandboxIdentities, requestLogLimit: 1_000 });
  const served = await serveSandbox(sandbox, { port: sources.port === "default" ? 0 : config.port });
  log.info(
    `sandbox tenant serving on ${served.url} (client id ${sandbox.clientId}, client secret ${sandbox.clientSecret}; ${config.sandboxIdentities} identities): ` +
      `SAIL_BASE_URL=${served.url} SAIL_CLIENT_ID=${sandbox.clientId} SAIL_CLIENT_SECRET=${sandbox.clientSecret}`,
  );
  const stop = (why: string) => {
    log.info(`sandbox shutting down (${why})`);
    void served.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

// The real server in-process over HTTP with its confirmation pages on the listener's port, for tests that swap in a store, a sign-in gate or ticks.
import type { Config } from "../../src/config/resolve.js";
import { createLogger } from "../../src/core/log.js";
import type { AuditLog } from "../../src/guard/audit.js";
import { createGuard } from "../../src/guard/guard.js";
import { createConfirmationPages, type ConfirmationPagesOptions } from "../../src/guard/page/pages.js";
import { fixedServing, pageBase } from "../../src/guard/page/serving.js";
import type { GuardStore } from "../../src/guard/store.js";
import { connectBackend, type Backend } from "../../src/isc/connect.js";
import { createServer } from "../../src/mcp/server.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { startHttpServer, type HttpOptions, type HttpServing } from "../../src/transports/http/server.js";
import { inventoryFor } from "./inventory.js";

export interface PagedHttp {
  serving: HttpServing;
  backend: Backend;
  close(): Promise<void>;
}

/**
 * Backend on `sandbox`, pages served from the listener (their base known once it listens), guard, and a fresh server
 * per session. `pages` and `http` add to what every such test sets (a sign-in gate, ticks; OAuth options).
 */
export async function startPagedHttp(
  config: Config,
  sandbox: Sandbox,
  opts: {
    store: GuardStore;
    audit: AuditLog;
    pages?: Partial<Omit<ConfirmationPagesOptions, "store" | "serving" | "log">>;
    http?: (inventory: ReturnType<typeof inventoryFor>) => Omit<HttpOptions, "pages">;
    /** The clock the guard and the pages read (expiry); @default Date.now */
    now?: () => number;
  },
): Promise<PagedHttp> {
  const backend = await connectBackend({ ...config, logLevel: "silent" }, { sandbox });
  const log = createLogger("silent");
  const { store, audit } = opts;
  let port = 0;
  const pages = createConfirmationPages({
    store,
    serving: fixedServing(() => (port ? pageBase(config, port) : undefined)),
    log,
    ...(opts.now ? { now: opts.now } : {}),
    ...opts.pages,
  });
  const guard = createGuard({ config: backend.config, audit, store, pages, ...(opts.now ? { now: opts.now } : {}) });
  const inventory = inventoryFor(backend.config);
  const serving = await startHttpServer(
    config,
    () => createServer({ config: backend.config, isc: backend.isc, log, audit, guard, inventory }),
    log,
    { pages, ...opts.http?.(inventory) },
  );
  port = serving.port;
  return {
    serving,
    backend,
    close: async () => {
      await serving.close();
      await backend.close();
    },
  };
}

// An in-process server whose confirmation pages open through a BROWSER script: the real guard, pages and MCP server, a real client over an in-memory link.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { resolveConfig } from "../../src/config/resolve.js";
import { createLogger } from "../../src/core/log.js";
import { createAuditLog } from "../../src/guard/audit.js";
import { createGuard } from "../../src/guard/guard.js";
import { browserOpener } from "../../src/guard/page/opener.js";
import { createConfirmationPages, type ConfirmationPages } from "../../src/guard/page/pages.js";
import { loopbackServing } from "../../src/guard/page/serving.js";
import { createMemoryStore } from "../../src/guard/store.js";
import { connectBackend, type Backend } from "../../src/isc/connect.js";
import { createServer } from "../../src/mcp/server.js";
import { createSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { browserScript, type BrowserScript } from "./confirm-e2e.js";
import { inventoryFor } from "./inventory.js";

export interface PagedServer {
  sandbox: Sandbox;
  backend: Backend;
  client: Client;
  pages: ConfirmationPages;
  /** The BROWSER script: each page the server opens, in order. */
  script: BrowserScript;
  /** Closes the client, the pages' listener and the backend. */
  close(): Promise<void>;
}

/** `argv`: the CLI flags after --sandbox. `now`: the clock of the pages, their listener and the guard (a test moves it). */
export async function startPagedServer(
  argv: string[],
  options: { clientName: string; now?: () => number },
): Promise<PagedServer> {
  const sandbox = createSandbox({ rateLimit: false, identities: 40 });
  const { config } = resolveConfig(["--sandbox", ...argv], {});
  const backend = await connectBackend({ ...config, logLevel: "silent" }, { sandbox });
  const clock = options.now ? { now: options.now } : {};
  const log = createLogger("silent");
  const audit = createAuditLog({ write: () => {} });
  const store = createMemoryStore();
  const script = browserScript();
  let pages: ConfirmationPages | undefined;
  pages = createConfirmationPages({
    store,
    serving: loopbackServing(() => pages!.handle, { log, ...clock }),
    log,
    ...clock,
  });
  const guard = createGuard({
    config: backend.config,
    audit,
    store,
    pages,
    opener: browserOpener({ env: { BROWSER: script.command } }),
    ...clock,
  });
  const server = createServer({
    config: backend.config,
    isc: backend.isc,
    log,
    audit,
    guard,
    inventory: inventoryFor(backend.config),
  });
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: options.clientName, version: "1.0.0" });
  await Promise.all([server.connect(a), client.connect(b)]);
  const opened = pages;
  return {
    sandbox,
    backend,
    client,
    pages: opened,
    script,
    async close() {
      await client.close();
      await opened.close();
      await backend.close();
    },
  };
}

// Runs the server: connects the tenant (or sandbox), then serves MCP over stdio or Streamable HTTP until a signal ends it.
import { setHeapFlag } from "./boot/v8-flags.js";
import { saveCompileCache } from "./boot/compile-cache-hook.js";
import { createAuditLog } from "../guard/audit.js";
import { connectBackend } from "../isc/connect.js";
import { loadHttp } from "../isc/ky-lazy.js";
import { pageShown, type Config } from "../config/resolve.js";
import type { SettingSources } from "../config/labels.js";
import { createGuard } from "../guard/index.js";
import { createConfirmationPages, type ConfirmationPages } from "../guard/page/pages.js";
import { fixedServing, loopbackServing, NO_PUBLIC_URL, pageBase } from "../guard/page/serving.js";
import { PROCESS_STORE } from "../guard/store.js";
import { createInFlight } from "../core/in-flight.js";
import { createLogger, registerSecret } from "../core/log.js";
import { createServer } from "../mcp/server.js";
import { createInventory } from "../mcp/inventory.js";
import { TOOLS } from "../../tools/index.js";
import { PROMPTS } from "../../prompts/index.js";
import { PACKAGE } from "../core/version.js";
import { confirmSummary } from "./confirm-summary.js";
import { serveStdioBothEras } from "../transports/stdio.js";
import { startTelemetry, telemetryPlan } from "./telemetry.js";

/** How long shutdown waits for calls in progress; hosts usually send SIGKILL some seconds after SIGTERM. */
const SHUTDOWN_GRACE_MS = 5_000;

/**
 * Start-up is over this long after serving began: a start that compiled without a code cache writes one then (or at
 * shutdown, if sooner), what the first ISC request needs is loaded, and the heap flag is set.
 */
const START_UP_MS = 1_000;

/** `from`: where the base URL and credentials came from (resolution's notes), which the token endpoint's hints name. */
export async function serve(config: Config, from?: SettingSources): Promise<void> {
  // What clients get, decided once (resolution already refused a --tools name the catalog lacks).
  const inventory = createInventory({ tools: TOOLS, prompts: PROMPTS }, config);
  registerSecret(config.clientSecret);
  registerSecret(config.httpToken);
  registerSecret(config.oauthClientSecret);
  const log = createLogger(config.logLevel);
  // OpenTelemetry only when the OTEL_* variables ask for it: otherwise its SDK is never loaded.
  const plan = telemetryPlan(process.env, config.http && config.prometheus);
  const otel = plan ? await startTelemetry(plan, log) : undefined;
  // Loaded only with --redis-url: without it no Redis code runs at all.
  const redis = config.redisUrl
    ? await (
        await import("../isc/redis.js")
      ).connectRedis({
        url: config.redisUrl,
        log,
        outageNote: `confirmation codes, confirmations and cooldown-limited writes are refused until it is back; reads go on under a local limit of ${(await import("../isc/rate-budget-redis.js")).fallbackLimit(config.rateLimit)} requests per 10 s.`,
      })
    : undefined;
  const backend = await connectBackend(config, { log, from, ...(redis ? { redis } : {}) });
  // One audit log and one guard per process: every HTTP session (or stateless request) shares them.
  const audit = createAuditLog({ file: backend.config.auditLog });
  // With --redis-url every replica spends codes, starts cooldowns, counts windows and keeps pending confirmations in one place.
  const store = redis ? (await import("../guard/store-redis.js")).createRedisStore(redis) : PROCESS_STORE;
  // Confirmation pages: on the HTTP listener itself, or (stdio) on a loopback listener opened by the first confirmation.
  let httpPort = 0;
  let pages: ConfirmationPages | undefined;
  const base = () => (httpPort ? pageBase(config, httpPort) : undefined);
  const serving = config.http ? fixedServing(base, NO_PUBLIC_URL) : loopbackServing(() => pages!.handle, { log });
  // With sign-in over HTTP the page first signs the human in through the same identity provider, with sessions or
  // --stateless alike. Where no page can be shown (read-only, url not in --confirm-via, or --stateless without
  // --oauth-client-id) there is none: never a page without sign-in.
  const oauth = Boolean(config.http && config.oauthIssuer);
  const signIn =
    oauth && pageShown(config)
      ? (await import("../transports/http/page-signin-setup.js")).pageSignInFor(config, base, log)
      : undefined;
  pages =
    oauth && !signIn
      ? undefined
      : createConfirmationPages({
          store,
          serving,
          log,
          gate: signIn?.signIn.gate,
          limits: { perOwner: config.maxPendingPerSession, perProcess: config.maxPending },
        });
  const guard = createGuard({ config: backend.config, audit, store, pages, log });
  const inFlight = createInFlight();
  const makeServer = () =>
    createServer({ config: backend.config, isc: backend.isc, log, audit, guard, inFlight, inventory });
  const target = backend.sandbox ? `sandbox tenant at ${backend.config.baseUrl}` : backend.isc.tenant;
  // What a newcomer needs to see at once: how many tools the model gets, and who can confirm a write (a human, or a code).
  // The count is what a client that can be asked is listed; who is shown less, and why, is in the words that follow.
  // Called once the pages can be reached (over HTTP, once the port is known).
  const offer = () => {
    const confirming = confirmSummary(config, guard, inventory);
    return {
      warning: confirming.warning,
      text: `; ${confirming.tools} tool${confirming.tools === 1 ? "" : "s"}${config.readOnly ? " (read-only)" : `; ${confirming.text}`}`,
    };
  };

  let stop: () => Promise<void>;
  if (config.http) {
    // Loaded only here: stdio users (most hosts) do not pay for the HTTP stack at start-up.
    const { startHttpServer } = await import("../transports/http/server.js");
    const http = await startHttpServer(config, makeServer, log, {
      ...(redis ? { redis } : {}),
      pages,
      metrics: otel?.prometheus,
      ...(signIn ? { signIn: signIn.signIn } : {}),
      oauth: { toolKind: inventory.kindOf, ...(signIn ? { issuer: signIn.issuer } : {}) },
    });
    httpPort = http.port;
    stop = http.close;
    const mode = config.stateless
      ? `stateless: a server per request in both eras, at most ${config.maxRequests} at once`
      : `sessions, idle timeout ${config.sessionIdleSeconds} s, at most ${config.maxSessions}; 2026-07-28 per request, at most ${config.maxRequests} at once`;
    const { warning, text } = offer();
    if (warning) log.warn(warning);
    log.info(
      `${PACKAGE.name} ${PACKAGE.version} serving MCP on ${http.url} (${mode}); ${backend.config.apiVersion} of ${target}${text}`,
    );
    if (config.oauthIssuer) log.info(`sign-in: tokens from ${config.oauthIssuer} for ${config.oauthAudience}`);
  } else {
    process.stdin.on("end", () => void shutdown("stdin closed"));
    // Both protocol eras; the end of stdin does not close the connection (shutdown lets running calls answer first).
    const connection = serveStdioBothEras(makeServer, log);
    stop = async () => {
      await connection.close();
      await pages?.close();
    };
    const { warning, text } = offer();
    if (warning) log.warn(warning);
    log.info(
      `${PACKAGE.name} ${PACKAGE.version} serving MCP on stdio; ${backend.config.apiVersion} of ${target}${text}`,
    );
  }

  // Long enough for a host's initialize and tools/list, so the cache holds what a start runs. Then what the first tool
  // call would load, and only after both the heap flag: every Node module loaded after a V8 flag compiles from source
  // (src/cli/boot/v8-flags.ts). Unref'd: never keeps us up.
  setTimeout(() => {
    saveCompileCache();
    void loadHttp()
      .catch(() => {})
      .finally(setHeapFlag);
  }, START_UP_MS).unref();

  let closing = false;
  async function shutdown(why: string): Promise<void> {
    if (closing) return;
    closing = true;
    log.info(`shutting down (${why})${inFlight.size ? `: letting ${inFlight.size} call(s) in progress finish` : ""}`);
    // Calls in progress finish and answer (a write's audit line included); past the grace they are cancelled, which also answers.
    const cut = await inFlight.drain(SHUTDOWN_GRACE_MS);
    if (cut > 0) log.warn(`cancelled ${cut} call(s) still running after ${SHUTDOWN_GRACE_MS / 1000} s`);
    await stop().catch(() => {});
    await audit.close().catch(() => {});
    await backend.close().catch(() => {});
    await redis?.close().catch(() => {});
    // The last spans and metrics (this shutdown's calls included) go out before the process ends.
    await otel?.shutdown().catch(() => {});
    saveCompileCache();
    process.exit(0);
  }
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

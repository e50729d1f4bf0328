// Connects a Config to an ISC tenant: the real one, or the built-in sandbox served on a loopback port.
import type { Config } from "../config/resolve.js";
import type { SettingSources } from "../config/labels.js";
import type { Logger } from "../core/log.js";
import { createTokenProvider } from "./auth.js";
import { createIscClient, type IscClient } from "./client.js";
import { createRateLimiter } from "./rate-budget.js";
import type { Sandbox } from "../sandbox/index.js";
import type { RedisLink } from "./redis.js";
import type { Clock } from "../core/clock.js";

/** Nobody reads the request log of the --sandbox server's own tenant; a bounded one keeps a long session's memory flat. */
const SANDBOX_LOG_LIMIT = 1_000;

export interface Backend {
  /** The config with the sandbox's URL and credentials filled in when --sandbox. */
  config: Config;
  isc: IscClient;
  sandbox?: Sandbox;
  close(): Promise<void>;
}

export interface BackendOptions {
  sandbox?: Sandbox;
  /** With --redis-url: the request budget is shared on it by every replica. */
  redis?: RedisLink;
  /** Told once per deprecated path ISC answers with X-Deprecated. */
  log?: Logger;
  /** Token lifetimes and the waits between attempts and task polls run on it. @default the real clock */
  clock?: Clock;
  /** Where the base URL and credentials came from, for the token endpoint's hints. @default the SAIL_* variables */
  from?: SettingSources;
}

export async function connectBackend(config: Config, options: BackendOptions = {}): Promise<Backend> {
  let effective = config;
  let sandbox: Sandbox | undefined;
  let stopSandbox = async () => {};
  if (config.sandbox) {
    // The sandbox goes through the same HTTP path as a real tenant: real port, real tokens. Loaded only for --sandbox.
    const { createSandbox, serveSandbox } = await import("../sandbox/index.js");
    sandbox =
      options.sandbox ?? createSandbox({ identities: config.sandboxIdentities, requestLogLimit: SANDBOX_LOG_LIMIT });
    const served = await serveSandbox(sandbox);
    stopSandbox = served.close;
    effective = { ...config, baseUrl: served.url, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret };
  }
  const tokens = createTokenProvider({
    baseUrl: effective.baseUrl,
    clientId: effective.clientId,
    clientSecret: effective.clientSecret,
    timeoutMs: effective.requestTimeoutMs,
    ...(options.from ? { from: options.from } : {}),
    ...(options.clock ? { now: options.clock.now } : {}),
  });
  // One budget per tenant + client id + API version: the unit ISC counts.
  const budgetKey = `${new URL(effective.baseUrl).host}|${effective.clientId}|${effective.apiVersion}`;
  // Loaded only with --redis-url, like the Redis client itself.
  const store = options.redis ? (await import("./rate-budget-redis.js")).redisStore(options.redis) : undefined;
  const limiter = createRateLimiter(effective.rateLimit, effective.rateWindowMs, {
    key: budgetKey,
    ...(store ? { store } : {}),
  });
  const isc = createIscClient({
    baseUrl: effective.baseUrl,
    apiVersion: effective.apiVersion,
    tokens,
    requestTimeoutMs: effective.requestTimeoutMs,
    maxRetryAfterSeconds: effective.maxRetryAfterSeconds,
    // ISC counts 100 requests per 10 s per client id per API version; one backend speaks one version to one
    // tenant with one client id, so this limiter is exactly that budget, shared by every call (task polling too).
    retryBackoffMs: effective.retryBackoffMs,
    beforeAttempt: limiter.acquire,
    ...(options.log ? { log: options.log } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return { config: effective, isc, ...(sandbox ? { sandbox } : {}), close: stopSandbox };
}

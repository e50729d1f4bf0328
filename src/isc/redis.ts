// The process's one Redis connection (ioredis), loaded only with --redis-url: every command bounded in time, none queued while down.
import { Redis } from "ioredis";
import { maskRedisUrl, redisPassword } from "../config/redis-url.js";
import { registerSecret, type Logger } from "../core/log.js";

export interface RedisLink {
  readonly client: Redis;
  /** Connected and answering right now (the last command did not time out). */
  readonly reachable: boolean;
  /** The URL with its password masked, for logs and errors. */
  readonly shownUrl: string;
  /**
   * From when (ms, local clock) this Redis is known to hold everything written to it: the latest moment
   * it can have started, or, when this process saw it come back after an outage, that moment, whichever
   * is later; undefined until first reached. A Redis that restarted empty forgot what was spent before:
   * the guard refuses codes issued before this.
   */
  readonly dataSince: number | undefined;
  /**
   * The server's maxmemory-policy, as it said at the latest connect; undefined until it answered, or when it would not
   * say. Anything but "noeviction" may drop keys that carry an expiry (a spent code's) under memory pressure.
   */
  readonly maxmemoryPolicy: string | undefined;
  /**
   * Settles once what the latest connect asked of the server (start, maxmemory-policy) is in; a policy left unsaid on a
   * connection still up is asked again first (a spend must not be refused for good over a read cut short).
   */
  learned(): Promise<void>;
  /** Settles once what the latest connect asked is in, answered or not, asking nothing again: for /healthz. */
  settled(): Promise<void>;
  /** One PING within the command timeout; for /healthz and /readyz. */
  ping(): Promise<boolean>;
  /** Runs when Redis goes away (once per outage) and when it is back. */
  onChange(listener: (reachable: boolean) => void): void;
  close(): Promise<void>;
}

export interface RedisLinkOptions {
  url: string;
  log: Logger;
  /** Longest wait for any one command; past it the command fails and nothing is assumed. @default 1000 */
  commandTimeoutMs?: number;
  /** Longest wait at start-up before serving without Redis (readiness says 503 until it is reached). @default 3000 */
  startupWaitMs?: number;
  /** What the one warning of an outage says besides the fact (set by the caller, which knows the fallbacks). */
  outageNote?: string;
}

export async function connectRedis(opts: RedisLinkOptions): Promise<RedisLink> {
  registerSecret(redisPassword(opts.url));
  const shownUrl = maskRedisUrl(opts.url);
  const commandTimeout = opts.commandTimeoutMs ?? 1_000;
  const client = new Redis(opts.url, {
    commandTimeout,
    connectTimeout: Math.max(commandTimeout, 2_000),
    // While disconnected a command fails at once instead of waiting in a queue past the caller's deadline.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // A command that was cut off may have run: never send it twice.
    autoResendUnfulfilledCommands: false,
    // Keep trying for as long as the process runs; shared behaviour resumes by itself.
    retryStrategy: (times) => Math.min(100 * times, 1_000),
    lazyConnect: true,
    connectionName: "isc-identities-mcp",
  });
  const listeners: Array<(reachable: boolean) => void> = [];
  let reachable = false;
  let warned = false;
  let closing = false;
  const set = (now: boolean, why?: string) => {
    if (now === reachable || closing) return;
    reachable = now;
    if (now) {
      if (warned) opts.log.info(`Redis at ${shownUrl} is reachable again: shared state resumed.`);
      warned = false;
    } else if (!warned) {
      warned = true;
      opts.log.warn(
        `Redis at ${shownUrl} is unreachable${why ? ` (${why})` : ""}${opts.outageNote ? `: ${opts.outageNote}` : ""}`,
      );
    }
    for (const l of listeners) l(now);
  };
  let lastError: string | undefined;
  // ioredis reports every failed reconnect; the transition warning above is the one line a reader needs.
  client.on("error", (err: Error & { code?: string }) => {
    lastError = err.code ?? err.message;
    opts.log.debug(`Redis: ${err.code ?? err.message}`);
  });
  let dataSince: number | undefined;
  let maxmemoryPolicy: string | undefined;
  let warnedPolicy: string | undefined;
  let learning: Promise<void> = Promise.resolve();
  let connects = 0;
  client.on("ready", () => {
    const connect = ++connects;
    const readyAt = Date.now();
    // Until INFO answers, assume it started just now and may evict: the safe side for spent codes.
    dataSince = readyAt;
    maxmemoryPolicy = undefined;
    // Back after an outage: whatever happened meanwhile (a restart, a failover to a copy that missed the last
    // writes), nothing older is known to be there. A first connect trusts the server's own start instead, so a
    // replica started an hour after Redis still accepts the codes the others issued before it.
    const floor = connect > 1 ? readyAt : -Infinity;
    const started = client.info("server").then(
      (info) => {
        const uptime = Number(/uptime_in_seconds:(\d+)/.exec(info)?.[1]);
        // uptime_in_seconds is Redis's whole-second clock now minus its whole-second clock at start, so with an uptime of
        // u >= 1 the start lies before `now - u + 1 s`, and with 0 it is now at the latest: take the latest moment, or a
        // code issued and spent just before a restart would look issued after it (and could be spent again).
        if (connect === connects && Number.isFinite(uptime))
          dataSince = Math.max(floor, Date.now() - Math.max(0, uptime - 1) * 1000);
      },
      () => {},
    );
    learning = Promise.all([started, learnPolicy(connect)]).then(() => {});
    set(true);
  });
  // Asked at every connect: a failover may land on a server configured otherwise.
  const learnPolicy = (connect: number) =>
    readPolicy(client).then((policy) => {
      if (connect !== connects) return;
      maxmemoryPolicy = policy;
      // Unanswered on a connection that is going away: the next connect asks again; nothing to tell yet.
      if (policy === undefined && client.status !== "ready") return;
      const seen = policy ?? "";
      if (policy === "noeviction") warnedPolicy = undefined;
      else if (seen !== warnedPolicy) {
        // Once per policy seen, not once per reconnect: the fix is the same each time.
        warnedPolicy = seen;
        opts.log.warn(
          policy === undefined
            ? `Redis at ${shownUrl} did not say its maxmemory-policy (INFO memory and CONFIG GET failed): it may evict keys, so a spent confirmation code could be forgotten and act twice; codes are refused. Set maxmemory-policy noeviction on it and allow INFO.`
            : `Redis at ${shownUrl} has maxmemory-policy ${policy}: under memory pressure it may evict keys, so a spent confirmation code could be forgotten and act twice; codes are refused. Set maxmemory-policy noeviction on it (redis.conf, CONFIG SET maxmemory-policy noeviction, or the managed service's parameter).`,
        );
      }
    });
  client.on("close", () => {
    // Until the next "ready" dates the new connection, nothing is known to be there: no command may trust the old date.
    dataSince = undefined;
    set(false, lastError);
  });

  const started = client.connect().then(
    () => true,
    () => false,
  );
  const waited = await Promise.race([
    started,
    new Promise<false>((r) => setTimeout(r, opts.startupWaitMs ?? 3_000, false).unref()),
  ]);
  if (!waited && !warned) {
    warned = true;
    opts.log.warn(
      `Redis at ${shownUrl} is unreachable${lastError ? ` (${lastError})` : ""}${opts.outageNote ? `: ${opts.outageNote}` : ""}`,
    );
  }

  return {
    client,
    get reachable() {
      return reachable && client.status === "ready";
    },
    shownUrl,
    get dataSince() {
      return dataSince;
    },
    get maxmemoryPolicy() {
      return maxmemoryPolicy;
    },
    settled: () => learning,
    learned: () =>
      learning.then(() => {
        // The read failed on a connection that is still up (cut short, timed out): ask again rather than refuse for good.
        if (maxmemoryPolicy === undefined && client.status === "ready") return (learning = learnPolicy(connects));
      }),
    async ping() {
      try {
        return (await client.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    onChange(listener) {
      listeners.push(listener);
    },
    async close() {
      closing = true;
      listeners.length = 0;
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** INFO memory (allowed on managed Redis, which often forbids CONFIG), else CONFIG GET; undefined when neither says. */
async function readPolicy(client: Redis): Promise<string | undefined> {
  const info = await client.info("memory").catch(() => "");
  const said = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (said) return said;
  const config = await client.config("GET", "maxmemory-policy").catch(() => []);
  return Array.isArray(config) && typeof config[1] === "string" ? config[1] : undefined;
}

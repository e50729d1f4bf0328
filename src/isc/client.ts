// The one HTTP client for ISC (ky): versioned paths, bearer token and experimental header per attempt, retries, one error type.
import type { HTTPError, KyInstance, RetryOptions } from "ky";
import { isHttpError, isKyTimeout, loadHttp } from "./ky-lazy.js";
import { IscError, readErrorBody } from "../core/errors.js";
import { quoted } from "../core/quote.js";
import type { TokenProvider } from "./auth.js";
import type { ApiVersion } from "../config/options.js";
import { USER_AGENT } from "../core/version.js";
import type { Logger } from "../core/log.js";
import { needsExperimentalHeader, pathTemplate, routeTemplate, versionedPath } from "./api-paths.js";
import { traceRequest, type RequestTrace } from "./request-trace.js";
import { callEnded, requestTimedOut, type Phase } from "./unanswered.js";
import { systemClock, type Clock } from "../core/clock.js";

export type Method = "GET" | "POST" | "DELETE";
export type SearchParams = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  searchParams?: SearchParams;
  json?: unknown;
  /** Aborts the request and any retry wait: the tool call's cancellation and deadline. */
  signal?: AbortSignal;
}

/** `data` is whatever JSON ISC sent (unknown): body.ts checks it against the schema the caller expects. */
export interface IscResponse<T = unknown> {
  status: number;
  data: T;
  headers: Headers;
}

export interface IscClientOptions {
  baseUrl: string;
  apiVersion: ApiVersion;
  tokens: TokenProvider;
  requestTimeoutMs: number;
  maxRetryAfterSeconds: number;
  /** Wait before the first retry; doubled for each further one. @default 300 */
  retryBackoffMs?: number;
  /** Retries after the first attempt for retryable failures. */
  retryLimit?: number;
  /** Waits for a slot before each attempt (the client-side rate limiter). */
  beforeAttempt?: (signal: AbortSignal | undefined) => Promise<void>;
  /** Where an `X-Deprecated: true` answer is reported (once per path). */
  log?: Pick<Logger, "warn">;
  /** What retries wait on (and a Retry-After date is read against). @default the real clock */
  clock?: Clock;
}

export interface IscClient {
  readonly baseUrl: string;
  readonly apiVersion: ApiVersion;
  /** Host of the tenant, for audit lines and confirmation binding. */
  readonly tenant: string;
  readonly tokens: TokenProvider;
  /** The clock its waits run on: whoever waits on ISC between calls (task polling) uses the same one. */
  readonly clock: Clock;
  /** `path` is version-free ("identities/{id}"); api-paths.ts spells it for the configured version. */
  request(method: Method, path: string, options?: RequestOptions): Promise<IscResponse>;
}

/** Per-call state shared by the beforeRequest hook and the retry policy. */
interface CallContext {
  /** The token the latest attempt carried. */
  token?: string;
  /** A 401 was already answered with a refresh: never twice in one call. */
  authRetried?: boolean;
  /** Where the latest attempt is, so a deadline or cancellation can say whether a write may have run. */
  phase: Phase;
  /** ISC's latest answer: the one a retry waits after, or the one whose body is being read. */
  status?: number;
  /** Telemetry of this call's attempts; undefined when telemetry is off. */
  trace?: RequestTrace | undefined;
  /** How long the next retry waits: decided with the answer (Retry-After, backoff), waited on the client's clock. */
  waitMs: number;
}

export function parseRetryAfter(value: string | null, now: () => number = Date.now): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now()) / 1000));
}

export function createIscClient(opts: IscClientOptions): IscClient {
  let api: Promise<KyInstance> | undefined;
  const getApi = () =>
    (api ??= loadHttp().then(({ ky, fetch }) =>
      ky.create({
        fetch,
        prefixUrl: `${opts.baseUrl}/`,
        timeout: opts.requestTimeoutMs,
        headers: { "user-agent": USER_AGENT, accept: "application/json" },
      }),
    ));

  const clock = opts.clock ?? systemClock;
  const base = new URL(opts.baseUrl);
  const tenant = base.host;
  const deprecatedSeen = new Set<string>();
  /** ISC flags deprecated endpoints per response; the operator needs to hear it once per path, not once per call. */
  const noteDeprecated = (headers: Headers, method: Method, path: string): void => {
    if (headers.get("x-deprecated")?.trim().toLowerCase() !== "true") return;
    const where = pathTemplate(opts.apiVersion, method, path);
    if (deprecatedSeen.has(where)) return;
    deprecatedSeen.add(where);
    const hint =
      opts.apiVersion === "v1"
        ? "check SailPoint's API deprecation notes for its replacement"
        : "SailPoint's year-versioned APIs stop working in Q1 2029: switch to --api-version v1 (the per-resource APIs)";
    opts.log?.warn(`ISC marks ${where} as deprecated (X-Deprecated: true); ${hint}. Reported once per path.`);
  };

  return {
    baseUrl: opts.baseUrl,
    apiVersion: opts.apiVersion,
    tenant,
    tokens: opts.tokens,
    clock,
    async request(method: Method, path: string, options: RequestOptions = {}): Promise<IscResponse> {
      const searchParams = options.searchParams
        ? (Object.fromEntries(Object.entries(options.searchParams).filter(([, v]) => v !== undefined)) as Record<
            string,
            string | number | boolean
          >)
        : undefined;
      const trace = traceRequest(method, () => routeTemplate(opts.apiVersion, method, path), base);
      const ctx: CallContext = { phase: "token", trace, waitMs: 0 };
      let response: Response;
      let text: string;
      try {
        response = await (
          await getApi()
        )(versionedPath(opts.apiVersion, path), {
          method,
          searchParams,
          json: options.json,
          signal: options.signal,
          retry: retryFor(method, opts, ctx, options.signal),
          hooks: {
            beforeRequest: [
              (request) =>
                authorize(request, options.signal, ctx, opts, needsExperimentalHeader(opts.apiVersion, method, path)),
            ],
            // Only with telemetry on: ky clones each response for an afterResponse hook.
            ...(trace ? { afterResponse: [(_r, _o, answer: Response) => trace.answered(answer.status)] } : {}),
            // ky's own wait is 0 (retryFor): the wait it would have made happens here, on the client's clock.
            beforeRetry: [
              ({ error }: { error: Error }) => {
                trace?.failed(error);
                return clock.sleep(ctx.waitMs, options.signal);
              },
            ],
          },
        });
        ctx.phase = "body";
        ctx.status = response.status;
        // Inside the try: a deadline or cancellation can end the body as well as the request, and must read as one.
        // Taken at once, with no wait since ky handed it over: an answer nobody takes is let go past 1 MB (undici-fetch.ts).
        text = await response.text();
      } catch (err) {
        trace?.failed(err);
        if (isHttpError(err)) noteDeprecated(err.response.headers, method, path);
        throw await toIscError(err, method, path, options.signal, opts, ctx, clock);
      }
      noteDeprecated(response.headers, method, path);
      let data: unknown = undefined;
      if (text !== "") {
        try {
          data = JSON.parse(text);
        } catch {
          throw new IscError({
            kind: "bad_response",
            method,
            path,
            status: response.status,
            message: `ISC answered ${method} /${versionedPath(opts.apiVersion, path)} with HTTP ${response.status} and a body that is not JSON.`,
          });
        }
      }
      return { status: response.status, data, headers: response.headers };
    },
  };
}

/** Runs before every attempt, retries included, so a retry carries a refreshed token. */
async function authorize(
  request: Request,
  signal: AbortSignal | undefined,
  ctx: CallContext,
  opts: IscClientOptions,
  experimental: boolean,
): Promise<void> {
  // Token first, then the slot: ISC counts a request when it arrives, so the slot is taken right before sending.
  ctx.phase = "token";
  ctx.token = await opts.tokens.getToken(signal);
  ctx.phase = "budget";
  if (ctx.trace && opts.beforeAttempt) {
    const asked = performance.now();
    await opts.beforeAttempt(signal);
    ctx.trace.budgetWaited(performance.now() - asked);
  } else {
    await opts.beforeAttempt?.(signal);
  }
  request.headers.set("authorization", `Bearer ${ctx.token}`);
  if (experimental) request.headers.set("x-sailpoint-experimental", "true");
  ctx.trace?.sending(request.headers);
  ctx.phase = "sent";
}

/** Longest backoff between retries without a Retry-After. */
const BACKOFF_LIMIT_MS = 5_000;

/**
 * Retry policy for one call: 429 for any method (the gateway did not run it), 5xx and network errors for GET only.
 * shouldRetry decides the wait with the answer (Retry-After for 429 and 503, else a doubling backoff) and ky waits 0:
 * the wait happens in the beforeRetry hook on the client's clock.
 */
function retryFor(
  method: Method,
  opts: IscClientOptions,
  ctx: CallContext,
  signal: AbortSignal | undefined,
): RetryOptions {
  const backoff = (retryCount: number) =>
    Math.min(BACKOFF_LIMIT_MS, (opts.retryBackoffMs ?? 300) * 2 ** (retryCount - 1));
  return {
    limit: opts.retryLimit ?? 3,
    methods: ["get", "post", "delete"],
    statusCodes: [429, 500, 502, 503, 504],
    afterStatusCodes: [],
    delay: () => 0,
    shouldRetry: ({ error, retryCount }) => {
      // The call's deadline or cancellation ended this attempt: nothing to retry, and the phase must say where it stopped.
      if (signal?.aborted || error.name === "AbortError" || isKyTimeout(error)) return false;
      // The token provider already retried its own request; repeating the call would only multiply that.
      if (error instanceof IscError) return false;
      // From here on, a retry (if any) waits after this answer.
      ctx.phase = "retry-wait";
      ctx.status = isHttpError(error) ? error.response.status : undefined;
      ctx.waitMs = backoff(retryCount);
      if (isHttpError(error) && error.response.status === 401) {
        // A token can be revoked or expire early: refresh once and repeat at once, never more.
        if (ctx.authRetried) return false;
        ctx.authRetried = true;
        ctx.waitMs = 0;
        if (ctx.token) opts.tokens.invalidate(ctx.token);
        return true;
      }
      const status = isHttpError(error) ? error.response.status : undefined;
      if (status === 429 || status === 503) {
        const after = parseRetryAfter((error as HTTPError).response.headers.get("retry-after"), opts.clock?.now);
        // A 429 is retried only for a wait we accept; past the cap the caller is told when to come back.
        if (status === 429 && after !== undefined && after > opts.maxRetryAfterSeconds) return false;
        if (after !== undefined) ctx.waitMs = Math.min(after, opts.maxRetryAfterSeconds) * 1000;
        if (status === 429) return undefined;
      }
      // A write that failed with 5xx or no answer may have happened: never repeat it.
      return method === "GET" ? undefined : false;
    },
  };
}

async function toIscError(
  err: unknown,
  method: Method,
  path: string,
  signal: AbortSignal | undefined,
  opts: IscClientOptions,
  ctx: CallContext,
  clock: Clock,
): Promise<IscError> {
  if (err instanceof IscError) return err; // from the token provider
  const where = `${method} /${versionedPath(opts.apiVersion, path)}`;
  if (isHttpError(err)) {
    const status = err.response.status;
    const body: unknown = await err.response.json().catch(() => undefined);
    const parsed = readErrorBody(body);
    const retryAfterSeconds = parseRetryAfter(err.response.headers.get("retry-after"), clock.now);
    return new IscError({
      kind: status === 429 ? "rate_limited" : "http",
      method,
      path,
      status,
      detailCode: parsed.detailCode,
      trackingId: parsed.trackingId,
      retryAfterSeconds,
      body,
      // ISC's text is quoted: it can echo identity data, which must never read as the server's own words.
      message: `ISC answered ${where} with HTTP ${status}${parsed.text ? `: ${quoted(parsed.text, 500)}` : ""}`,
    });
  }
  const at = { method, path, where, phase: ctx.phase, status: ctx.status };
  if (isKyTimeout(err)) return requestTimedOut(at, opts.requestTimeoutMs);
  if (signal?.aborted) return callEnded(at, signal.reason);
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (err as Error).message;
  if (ctx.phase === "body") {
    // ISC did answer (for a write with 2xx, the status tells the guard it acted); only the rest of the body was lost.
    return new IscError({
      kind: "network",
      method,
      path,
      status: ctx.status,
      message: `ISC answered ${where} with HTTP ${ctx.status}, but the connection broke while the rest of its answer arrived (${detail}).`,
    });
  }
  return new IscError({ kind: "network", method, path, message: `Could not reach ISC for ${where} (${detail}).` });
}

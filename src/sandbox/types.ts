// The sandbox's public contract: options, the request log, fault specs and the Sandbox itself.
import type { SandboxState } from "./model.js";

export interface SandboxOptions {
  /** How many seeded identities. @default 500 */
  identities?: number;
  /** PRNG seed; the same seed yields identical data. @default 1 */
  seed?: number;
  /** @default "sandbox-client" */
  clientId?: string;
  /** @default "sandbox-secret" */
  clientSecret?: string;
  /** `expires_in` of issued tokens. @default 720 */
  tokenTtlSeconds?: number;
  /** Per client id per API version. @default { requests: 100, windowMs: 10_000 } */
  rateLimit?: { requests: number; windowMs: number } | false;
  /** synchronize-attributes is allowed once per this many ms per identity. @default 10_000 */
  syncIntervalMs?: number;
  /** Keep only the newest N entries of the request log (a long-running --sandbox server); 0 keeps all. @default 0 */
  requestLogLimit?: number;
  /** How long a started task stays QUEUED, then IN_PROGRESS, before it finishes. @default { queuedMs: 1_000, runMs: 3_000 } */
  taskTimings?: { queuedMs: number; runMs: number };
  /** Raw paths answered with `X-Deprecated: true` (as ISC flags deprecated endpoints). @default none */
  deprecated?: RegExp;
  /** Clock (ms) for token expiry, rate limits, sync interval, tasks and write timestamps. @default Date.now */
  now?: () => number;
}

export interface RecordedRequest {
  method: string;
  /** Raw pathname as received (not decoded). */
  path: string;
  /** Raw search string including `?`, or "". */
  query: string;
  /** Lower-cased names, real values (authorization included). */
  headers: Record<string, string>;
  body: string;
  /** Final status; 0 when no response was sent (connection reset, or the client aborted). */
  status: number;
  at: number;
}

export interface FaultSpec {
  method?: string;
  /** Exact raw pathname, or a RegExp tested against it. */
  path?: string | RegExp;
  /** How many matching requests fail. @default 1 */
  count?: number;
  /** Respond with this status and the spec's error body for it (429 when only retryAfter is set). */
  status?: number;
  /** Sent as Retry-After: seconds, or an HTTP date string. */
  retryAfter?: number | string;
  /** Wait this long first; alone (no status/body/reset) the request then proceeds normally. */
  delayMs?: number;
  /** Hold the request until this settles (then delayMs, if any): the test decides when it is answered. */
  hold?: Promise<unknown>;
  /**
   * Send the status, the headers and only this many bytes of the body, then nothing more until the client
   * gives up (an answer that stops half-way). Alone, the real operation runs and its real answer is cut.
   * Only over HTTP (serveSandbox) does the head go out before the body ends.
   */
  stallBodyAfterBytes?: number;
  /** Raw body (content-type application/json) instead of the error body; status defaults to 200. */
  body?: string;
  /** Run the real operation first, then answer with this fault's status/body instead of the real answer. */
  afterOperation?: boolean;
  /**
   * Destroy the connection without a response; direct handler calls reject like fetch does. With
   * stallBodyAfterBytes: destroy it right after those bytes instead of stalling (an answer broken off).
   */
  reset?: boolean;
  /** The request succeeds, but the task (or sync job) it starts ends in ERROR with this message. */
  taskError?: string;
}

export interface Sandbox {
  handler(req: Request): Promise<Response>;
  readonly requests: RecordedRequest[];
  clearRequests(): void;
  inject(fault: FaultSpec): void;
  clearFaults(): void;
  expireTokens(): void;
  readonly state: SandboxState;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface ServedSandbox {
  /** e.g. http://127.0.0.1:53121, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

export interface ResolvedOptions {
  identities: number;
  seed: number;
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
  rateLimit: { requests: number; windowMs: number } | false;
  syncIntervalMs: number;
  requestLogLimit: number;
  taskTimings: { queuedMs: number; runMs: number };
  deprecated: RegExp | undefined;
  now: () => number;
}

export function resolveOptions(options: SandboxOptions = {}): ResolvedOptions {
  return {
    identities: options.identities ?? 500,
    seed: options.seed ?? 1,
    clientId: options.clientId ?? "sandbox-client",
    clientSecret: options.clientSecret ?? "sandbox-secret",
    tokenTtlSeconds: options.tokenTtlSeconds ?? 720,
    rateLimit: options.rateLimit === undefined ? { requests: 100, windowMs: 10_000 } : options.rateLimit,
    syncIntervalMs: options.syncIntervalMs ?? 10_000,
    requestLogLimit: options.requestLogLimit ?? 0,
    taskTimings: options.taskTimings ?? { queuedMs: 1_000, runMs: 3_000 },
    deprecated: options.deprecated,
    now: options.now ?? Date.now,
  };
}

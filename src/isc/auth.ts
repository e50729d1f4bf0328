// OAuth2 client-credentials tokens: cached until shortly before expiry, one refresh in flight shared by all callers.
import { untilAborted } from "./abortable.js";
import { startDeadline } from "../core/deadline.js";
import { IscError, readErrorBody } from "../core/errors.js";
import { isHttpError, loadHttp } from "./ky-lazy.js";
import { registerSecret, registerToken } from "../core/log.js";
import { quoted } from "../core/quote.js";
import { USER_AGENT } from "../core/version.js";
import { hostPort, networkCause } from "./network-cause.js";
import { traceRequest } from "./request-trace.js";
import { telemetry } from "../core/telemetry.js";
import { baseUrlLabel, credentialsLabel, type SettingSources } from "../config/labels.js";

export interface TokenProviderOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  /** Where the base URL and credentials came from (a variable, a flag, a file), for the hints. @default the SAIL_* variables */
  from?: SettingSources;
  /** Clock in ms, injectable for tests. */
  now?: () => number;
}

export interface TokenProvider {
  /** A valid access token, fetching one if none is cached or it is about to expire; rejects with `signal`'s reason once it aborts. */
  getToken(signal?: AbortSignal): Promise<string>;
  /** Drops `token` if it is still the cached one (after ISC answered 401 to it). */
  invalidate(token: string): void;
  /** How many token requests were made (for diagnostics and the bench). */
  readonly fetchCount: number;
}

export function createTokenProvider(opts: TokenProviderOptions): TokenProvider {
  const now = opts.now ?? Date.now;
  // The hints name each setting where it was set (ISC_MCP_TENANT, ./config.json …), or the user edits the wrong place.
  const base = baseUrlLabel(opts.from?.baseUrl);
  const credentials = credentialsLabel(opts.from?.clientId, opts.from?.clientSecret);
  const credentialsHint = `Check ${credentials} (a personal access token's client id and secret) and ${base}.`;
  // Only a 400/401 from the token endpoint is about the credentials; anything else is about where the server points or the network.
  const baseUrlHint = `Check ${base}: it must be the tenant's API root, e.g. https://acme.api.identitynow.com.`;
  const networkHint = `Check ${base} and that this machine can reach it (network, proxy, firewall).`;
  registerSecret(opts.clientSecret);
  let cached: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;
  let fetchCount = 0;

  async function fetchToken(): Promise<string> {
    fetchCount++;
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: opts.clientId,
      client_secret: opts.clientSecret,
    });
    let body: unknown;
    // A span and a duration like any ISC request, and a count of refreshes by outcome (telemetry on only).
    const trace = traceRequest("POST", "/oauth/token", new URL(opts.baseUrl));
    const hooks = trace
      ? {
          beforeRequest: [(request: Request) => trace.sending(request.headers)],
          afterResponse: [(_r: Request, _o: unknown, answer: Response) => trace.answered(answer.status)],
          beforeRetry: [({ error }: { error: Error }) => trace.failed(error)],
        }
      : undefined;
    // ky's timeout ends once the answer's head is in; this bound also covers its body. Every waiting call shares one
    // refresh, so a body that stopped must not hold them all until undici's 300-s body timeout.
    const bound = startDeadline([], opts.timeoutMs);
    try {
      // Token requests are cheap and idempotent, but a failure here is usually configuration: retry once only.
      const { ky, fetch } = await loadHttp();
      // ky's json() takes the body as soon as it has the answer (an answer nobody takes is let go: undici-fetch.ts).
      body = await ky
        .post(`${opts.baseUrl}/oauth/token`, {
          fetch,
          body: form,
          signal: bound.signal,
          timeout: opts.timeoutMs,
          retry: { limit: 1, methods: ["post"] },
          headers: { "user-agent": USER_AGENT, accept: "application/json" },
          ...(hooks ? { hooks } : {}),
        })
        .json();
    } catch (err) {
      trace?.failed(err);
      telemetry()?.instruments.tokenRefreshes.add(1, { "isc_mcp.outcome": "failed" });
      throw await tokenError(err);
    } finally {
      bound.clear();
    }
    const b = body as { access_token?: unknown; expires_in?: unknown } | null;
    const ok = Boolean(b && typeof b.access_token === "string" && b.access_token !== "");
    telemetry()?.instruments.tokenRefreshes.add(1, { "isc_mcp.outcome": ok ? "ok" : "failed" });
    if (!b || typeof b.access_token !== "string" || b.access_token === "") {
      throw new IscError({
        kind: "auth",
        message: `The token endpoint ${opts.baseUrl}/oauth/token answered without an access_token. ${baseUrlHint}`,
      });
    }
    registerToken(b.access_token);
    const lifetimeMs = (typeof b.expires_in === "number" && b.expires_in > 0 ? b.expires_in : 300) * 1000;
    // Refresh a little early so a token never expires between our check and ISC's.
    cached = { token: b.access_token, refreshAt: now() + lifetimeMs - Math.min(60_000, lifetimeMs / 10) };
    return b.access_token;
  }

  return {
    get fetchCount() {
      return fetchCount;
    },
    async getToken(signal) {
      if (cached && now() < cached.refreshAt) return cached.token;
      inFlight ??= fetchToken().finally(() => {
        inFlight = undefined;
      });
      // One refresh serves every waiting call: a call whose deadline passes stops waiting, the refresh goes on for the rest.
      return untilAborted(inFlight, signal);
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };

  async function tokenError(err: unknown): Promise<IscError> {
    const where = `${opts.baseUrl}/oauth/token`;
    if (isHttpError(err)) {
      const status = err.response.status;
      const parsed = readErrorBody(await err.response.json().catch(() => undefined));
      const credentials = status === 400 || status === 401;
      const why = credentials ? "rejected the client credentials" : `failed with HTTP ${status}`;
      const hint = credentials
        ? credentialsHint
        : status >= 500
          ? "ISC's token service failed; this is not about the credentials."
          : baseUrlHint;
      return new IscError({
        kind: "auth",
        status,
        message: `The token endpoint ${where} ${why}${parsed.text ? `: ${quoted(parsed.text, 300)}` : ""}. ${hint}`,
      });
    }
    if (err instanceof SyntaxError) {
      return new IscError({
        kind: "auth",
        message: `The token endpoint ${where} answered with a body that is not JSON. ${baseUrlHint}`,
      });
    }
    const cause = networkCause(err, where, opts.timeoutMs);
    if (cause?.kind === "timeout") {
      return new IscError({
        kind: "auth",
        message: `The token endpoint ${where} did not answer within ${opts.timeoutMs} ms (${hostPort(where)}, timeout: something accepts connections there but does not answer, or a firewall drops them). ${networkHint}`,
      });
    }
    // Still kind "auth": nothing reached ISC's API, so even a write can say for sure that nothing happened.
    return new IscError({
      kind: "auth",
      message: `Could not reach the token endpoint ${where}: ${cause?.text ?? (err as Error).message}. ${networkHint}`,
    });
  }
}

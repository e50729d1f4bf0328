// Assembles the sandbox: seeded state plus the request pipeline (log, faults, token, auth, limits, routes).
import { TokenStore } from "./auth.js";
import type { OpContext } from "./context.js";
import { SandboxError, errorResponse } from "./errors.js";
import { FaultQueue, applyFault, stallBody } from "./faults.js";
import { createRng } from "./prng.js";
import { RateLimiter } from "./rate-limiter.js";
import { matchRoute, splitVersion } from "./routes.js";
import { seedState } from "./seed.js";
import { advanceTasks, seedTaskHistory } from "./tasks.js";
import { resolveOptions, type RecordedRequest, type Sandbox, type SandboxOptions } from "./types.js";
import type { SandboxState } from "./model.js";

/** What a server adapter knows that a Request cannot carry: the request target exactly as sent. */
export interface Transport {
  rawTarget?: string;
}
export type InternalHandler = (req: Request, transport?: Transport) => Promise<Response>;

const internalHandlers = new WeakMap<Sandbox, InternalHandler>();
export const internalHandlerOf = (sandbox: Sandbox): InternalHandler | undefined => internalHandlers.get(sandbox);

/** Splits "http://host/p?q#f" or "/p?q" into raw path and raw search, without decoding or normalizing. */
function splitTarget(target: string): { path: string; query: string } {
  let rest = target;
  const scheme = rest.indexOf("://");
  if (scheme >= 0) {
    const slash = rest.indexOf("/", scheme + 3);
    rest = slash >= 0 ? rest.slice(slash) : "/";
  }
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf("?");
  return q >= 0 ? { path: rest.slice(0, q), query: rest.slice(q) } : { path: rest, query: "" };
}

/** Mimics what fetch does when the peer drops the connection, for callers using the handler as fetch. */
function connectionReset(): TypeError {
  return new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
}

/**
 * A fake ISC tenant as a fetch-style handler over seeded in-memory data: `/oauth/token` plus the 11
 * Identities operations and task status under `/v2024`, `/v2025`, `/v2026` and the per-resource `v1`
 * shape (`/identities/v1`, `/task-status/v1`). Use `pickFixtures(sandbox.state)` for identities with
 * given traits, `inject` for faults, and `serveSandbox` to put it on a loopback port.
 */
export function createSandbox(options?: SandboxOptions): Sandbox {
  const opts = resolveOptions(options);
  const rng = createRng((opts.seed ^ 0x5eed5eed) >>> 0);
  const tokens = new TokenStore(opts, rng.uuid());
  // The task history is drawn now, so the random sequence is the same whenever the identities get seeded.
  const history: Pick<SandboxState, "tasks"> = { tasks: new Map() };
  seedTaskHistory(history as SandboxState, rng, opts.now());
  // Seeded on first use (the first request, or the first read of `state`): `--sandbox` answers tools/list without it.
  let seeded: SandboxState | undefined;
  const state = (): SandboxState =>
    (seeded ??= Object.assign(seedState(opts.identities, opts.seed), { tasks: history.tasks }));
  const limiter = new RateLimiter(opts.rateLimit);
  const faults = new FaultQueue();
  const lastSync = new Map<string, number>();
  const requests: RecordedRequest[] = [];

  const dispatch = async (
    req: Request,
    path: string,
    query: string,
    body: string,
    taskError: string | undefined,
  ): Promise<Response> => {
    const search = new URLSearchParams(query);
    if (path === "/oauth/token") {
      if (req.method !== "POST") throw new SandboxError(405, "Use POST for /oauth/token", { allow: "POST" });
      return tokens.issue(body, search, req.headers);
    }
    const versioned = splitVersion(path.split("/").slice(1));
    if (!versioned) throw new SandboxError(404, "");
    const { version, rest } = versioned;
    const clientId = tokens.authenticate(req.headers);
    // ISC counts per client id per API version; the per-resource APIs share one budget here (the stricter reading).
    const wait = limiter.take(`${clientId} ${version}`, opts.now());
    if (wait !== null) throw new SandboxError(429, "Rate Limit Exceeded", { "retry-after": String(wait) });
    const match = matchRoute(req.method, rest);
    if (match.experimental && req.headers.get("x-sailpoint-experimental")?.toLowerCase() !== "true") {
      throw new SandboxError(
        400,
        "This API is currently in an experimental state. You must include the X-SailPoint-Experimental header and set it to true to use this endpoint.",
      );
    }
    const now = opts.now();
    advanceTasks(state(), now);
    const ctx: OpContext = {
      state: state(),
      options: opts,
      params: match.params,
      query: search,
      headers: req.headers,
      body,
      now,
      rng,
      lastSync,
      version,
      ...(taskError !== undefined ? { taskError } : {}),
    };
    return await match.op(ctx);
  };

  const handle: InternalHandler = async (req, transport) => {
    const { path, query } = splitTarget(transport?.rawTarget ?? req.url);
    const body = req.body ? await req.text() : "";
    const record: RecordedRequest = {
      method: req.method,
      path,
      query,
      headers: Object.fromEntries(req.headers),
      body,
      status: 0,
      at: opts.now(),
    };
    requests.push(record);
    if (opts.requestLogLimit > 0 && requests.length > opts.requestLogLimit) requests.shift();
    let response: Response;
    const fault = faults.take(req.method, path);
    try {
      // The operation happened; only the answer is the fault's (ISC acted, then sent something odd).
      if (fault?.afterOperation) await dispatch(req, path, query, body, undefined);
      const outcome = fault ? await applyFault(fault, req.signal) : { kind: "proceed" as const };
      if (outcome.kind === "reset") throw connectionReset();
      response =
        outcome.kind === "respond"
          ? outcome.response
          : outcome.kind === "error"
            ? errorResponse(outcome.error, rng)
            : await dispatch(req, path, query, body, outcome.taskError);
    } catch (error) {
      if (error instanceof SandboxError) response = errorResponse(error, rng);
      else if (error instanceof TypeError && error.message === "fetch failed") throw error;
      else if (req.signal.aborted) throw error;
      else response = errorResponse(new SandboxError(500, `Sandbox bug: ${String(error)}`), rng);
    }
    if (fault?.stallBodyAfterBytes !== undefined)
      response = await stallBody(response, fault.stallBodyAfterBytes, req.signal, fault.reset);
    if (opts.deprecated?.test(path)) response.headers.set("x-deprecated", "true");
    record.status = response.status;
    return response;
  };

  const sandbox: Sandbox = {
    handler: (req) => handle(req),
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    inject: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    expireTokens: () => tokens.expireAll(),
    get state() {
      return state();
    },
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
  };
  internalHandlers.set(sandbox, handle);
  return sandbox;
}

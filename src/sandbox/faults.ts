// Queued faults for tests: match a request, then delay, fail with a status or body, or drop the connection.
import { SandboxError } from "./errors.js";
import type { FaultSpec } from "./types.js";

interface QueuedFault { spec: FaultSpec; remaining: number }

export type FaultOutcome =
  | { kind: "proceed"; taskError?: string }
  | { kind: "respond"; response: Response }
  | { kind: "error"; error: SandboxError }
  | { kind: "reset" };

export class FaultQueue {
  private queue: QueuedFault[] = [];

  inject(spec: FaultSpec): void {
    this.queue.push({ spec, remaining: spec.count ?? 1 });
  }

  clear(): void {
    this.queue = [];
  }

  /** The first queued fault matching the request with uses left, consuming one use. */
  take(method: string, path: string): FaultSpec | undefined {
    for (const fault of this.queue) {
      const { spec } = fault;
      if (fault.remaining <= 0) continue;
      if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) continue;
      if (typeof spec.path === "string" && spec.path !== path) continue;
      if (spec.path instanceof RegExp && !spec.path.test(path)) continue;
      fault.remaining--;
      this.queue = this.queue.filter((f) => f.remaining > 0);
      return spec;
    }
    return undefined;
  }
}

/** Waits out a fault's delay (rejecting with the abort reason if the client gives up), then says what to do. */
export async function applyFault(spec: FaultSpec, signal: AbortSignal): Promise<FaultOutcome> {
  if (spec.delayMs && spec.delayMs > 0) await sleep(spec.delayMs, signal);
  if (spec.reset) return { kind: "reset" };
  if (spec.taskError !== undefined && spec.status === undefined && spec.body === undefined) return { kind: "proceed", taskError: spec.taskError };
  const headers: Record<string, string> = spec.retryAfter !== undefined ? { "retry-after": String(spec.retryAfter) } : {};
  if (spec.body !== undefined) {
    return { kind: "respond", response: new Response(spec.body, { status: spec.status ?? 200, headers: { ...headers, "content-type": "application/json" } }) };
  }
  const status = spec.status ?? (spec.retryAfter !== undefined ? 429 : spec.delayMs ? undefined : 500);
  if (status === undefined) return { kind: "proceed" };
  // These statuses cannot carry a body at all.
  if (status === 204 || status === 205 || status === 304) return { kind: "respond", response: new Response(null, { status, headers }) };
  return { kind: "error", error: new SandboxError(status, "", headers) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

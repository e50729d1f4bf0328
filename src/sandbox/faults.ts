// Queued faults for tests: match a request, then hold or delay it, fail with a status or body, or drop the connection.
import { SandboxError } from "./errors.js";
import type { FaultSpec } from "./types.js";

interface QueuedFault {
  spec: FaultSpec;
  remaining: number;
}

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
  if (spec.hold) await held(spec.hold, signal);
  if (spec.delayMs && spec.delayMs > 0) await sleep(spec.delayMs, signal);
  // With a stalled body the connection breaks after those bytes, not before the head.
  if (spec.reset && spec.stallBodyAfterBytes === undefined) return { kind: "reset" };
  if (spec.taskError !== undefined && spec.status === undefined && spec.body === undefined)
    return { kind: "proceed", taskError: spec.taskError };
  const headers: Record<string, string> =
    spec.retryAfter !== undefined ? { "retry-after": String(spec.retryAfter) } : {};
  if (spec.body !== undefined) {
    return {
      kind: "respond",
      response: new Response(spec.body, {
        status: spec.status ?? 200,
        headers: { ...headers, "content-type": "application/json" },
      }),
    };
  }
  // A delay or a stalled body alone changes when the real answer comes, not what it is.
  const status =
    spec.status ??
    (spec.retryAfter !== undefined
      ? 429
      : spec.delayMs || spec.hold || spec.stallBodyAfterBytes !== undefined
        ? undefined
        : 500);
  if (status === undefined) return { kind: "proceed" };
  // These statuses cannot carry a body at all.
  if (status === 204 || status === 205 || status === 304)
    return { kind: "respond", response: new Response(null, { status, headers }) };
  return { kind: "error", error: new SandboxError(status, "", headers) };
}

/** Responses whose body a fault stalls: served as they come (headers at once), not buffered like the rest. */
const stalled = new WeakSet<Response>();
export const isStalled = (response: Response): boolean => stalled.has(response);

/**
 * `response` with only the first `bytes` bytes of its body. The rest never comes: the body fails once the client
 * gives up, or (`reset`) right after those bytes, which makes the server drop the connection there.
 */
export async function stallBody(
  response: Response,
  bytes: number,
  signal: AbortSignal,
  reset = false,
): Promise<Response> {
  const head = new Uint8Array(await response.arrayBuffer()).subarray(0, bytes);
  let sent = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) {
        sent = true;
        if (head.length > 0) return controller.enqueue(head);
      }
      // A turn of the event loop first, so the bytes above leave before the connection drops.
      if (reset)
        return new Promise<void>((resolve) =>
          setImmediate(() =>
            resolve(controller.error(new Error("the sandbox broke the connection off (reset fault)"))),
          ),
        );
      // Never closed: only the client's going away ends it.
      if (signal.aborted) return controller.error(signal.reason);
      return new Promise<void>((resolve) =>
        signal.addEventListener("abort", () => resolve(controller.error(signal.reason)), { once: true }),
      );
    },
  });
  const cut = new Response(body, { status: response.status, headers: response.headers });
  stalled.add(cut);
  return cut;
}

/** Settles with `hold`, or rejects with the abort reason once the client gives up. */
function held(hold: Promise<unknown>, signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    hold.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
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

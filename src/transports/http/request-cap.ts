// A per-process cap on the HTTP requests answered per request: each holds a slot from before its body is read until its answer is done; past the cap, 503.
import type { ServerResponse } from "node:http";
import { createInFlight } from "../../core/in-flight.js";
import type { Logger } from "../../core/log.js";
import { telemetry } from "../../core/telemetry.js";
import { replyError } from "./reply.js";

/** How long a refused client should wait: per-request answers take about one ISC round trip, so slots free up quickly. */
export const BUSY_RETRY_SECONDS = 1;

export interface RequestCap {
  /** Requests holding a slot now. */
  readonly count: number;
  /** A slot and the function that gives it back (idempotent), or undefined when all `max` are taken. */
  take(): (() => void) | undefined;
  /** The refusal a client can act on: 503, Retry-After, and a JSON-RPC error naming the cap. */
  refuse(res: ServerResponse): void;
}

/**
 * A counter, not a queue: a request over the cap is refused at once rather than parked (parked requests would hold their
 * sockets and bodies, the very thing the cap bounds). The log says so once each time the cap is reached, not per refusal:
 * a flood must not become a flood of log lines.
 */
export function createRequestCap(max: number, log: Logger): RequestCap {
  const slots = createInFlight();
  let warned = false;
  return {
    get count() {
      return slots.size;
    },
    take() {
      if (slots.size >= max) {
        if (!warned) {
          warned = true;
          log.warn(
            `HTTP: ${max} requests in flight (--max-requests); further ones get 503 with Retry-After until some finish`,
          );
        }
        return undefined;
      }
      const end = slots.start();
      return () => {
        end();
        // Warn again only after the pressure has clearly eased, not at every slot freed and taken again.
        if (slots.size <= max / 2) warned = false;
      };
    },
    refuse(res) {
      telemetry()?.instruments.httpRefused.add(1, { "isc_mcp.cap": "max-requests" });
      replyError(
        res,
        503,
        `Server busy: ${max} requests already in flight (the --max-requests cap); retry after ${BUSY_RETRY_SECONDS} s.`,
        { headers: { "retry-after": String(BUSY_RETRY_SECONDS) } },
      );
    },
  };
}

// ISC requests as telemetry: a CLIENT span per attempt (HTTP conventions, the route template, never an id) whose
// context goes to ISC as `traceparent`, their durations, 429s and the time waited for the rate budget.
import { defined, telemetry, type Telemetry } from "../core/telemetry.js";
import type { Span } from "@opentelemetry/api";

export interface RequestTrace {
  /** The rate budget let this attempt go after `waitedMs`. */
  budgetWaited(waitedMs: number): void;
  /** An attempt is about to be sent: its span starts, and `headers` get its traceparent. */
  sending(headers: Headers): void;
  /** ISC answered the current attempt with `status`. */
  answered(status: number): void;
  /** The current attempt got no answer (network, timeout, cancellation); nothing if it was answered. */
  failed(error: unknown): void;
}

/**
 * Undefined when telemetry is off: the client then adds no hooks at all. `template` is the route with its ids named
 * (`/identities/v1/{id}`), from api-paths.ts; as a function, worked out only when telemetry is on.
 */
export function traceRequest(method: string, template: string | (() => string), host: URL): RequestTrace | undefined {
  const t = telemetry();
  return t ? new AttemptTrace(t, method, typeof template === "string" ? template : template(), host) : undefined;
}

class AttemptTrace implements RequestTrace {
  private span: Span | undefined;
  private startedAt = 0;
  private open = false;
  private attempts = 0;
  private waitedMs = 0;
  private readonly labels: Record<string, string | number>;

  constructor(
    private readonly t: Telemetry,
    private readonly method: string,
    private readonly template: string,
    host: URL,
  ) {
    const port = Number(host.port) || (host.protocol === "https:" ? 443 : 80);
    this.labels = {
      "http.request.method": method,
      "url.template": template,
      "server.address": host.hostname,
      "server.port": port,
    };
  }

  budgetWaited(waitedMs: number): void {
    this.waitedMs = waitedMs;
    this.t.instruments.budgetWait.record(waitedMs / 1000);
  }

  sending(headers: Headers): void {
    this.failed(new Error("superseded"));
    const { api } = this.t;
    this.startedAt = performance.now();
    this.open = true;
    const resend = this.attempts++;
    if (!this.t.spans) return;
    this.span = this.t.tracer.startSpan(`${this.method} ${this.template}`, {
      kind: api.SpanKind.CLIENT,
      attributes: defined({
        ...this.labels,
        "http.request.resend_count": resend > 0 ? resend : undefined,
        "isc_mcp.rate_budget.wait_ms": this.waitedMs > 0 ? Math.round(this.waitedMs) : undefined,
      }),
    });
    // W3C trace context into ISC's request, so a gateway or ISC's own tracing can join the trace.
    api.propagation.inject(api.trace.setSpan(api.context.active(), this.span), headers, {
      set: (h, k, v) => h.set(k, v),
    });
  }

  answered(status: number): void {
    if (!this.open) return;
    this.open = false;
    const error = status >= 400 ? String(status) : undefined;
    this.t.instruments.iscDuration.record(
      (performance.now() - this.startedAt) / 1000,
      defined({ ...this.labels, "http.response.status_code": status, "error.type": error }),
    );
    if (status === 429)
      this.t.instruments.iscRateLimited.add(1, { "http.request.method": this.method, "url.template": this.template });
    if (this.span) {
      this.span.setAttribute("http.response.status_code", status);
      if (error) {
        this.span.setAttribute("error.type", error);
        this.span.setStatus({ code: this.t.api.SpanStatusCode.ERROR });
      }
      this.span.end();
      this.span = undefined;
    }
  }

  failed(error: unknown): void {
    if (!this.open) return;
    this.open = false;
    // The class of failure only (TimeoutError, AbortError, TypeError for a network failure): a message can hold a URL.
    const type = error instanceof Error ? error.name : "unknown";
    this.t.instruments.iscDuration.record((performance.now() - this.startedAt) / 1000, {
      ...this.labels,
      "error.type": type,
    });
    if (this.span) {
      this.span.setAttribute("error.type", type);
      this.span.setStatus({ code: this.t.api.SpanStatusCode.ERROR });
      this.span.end();
      this.span = undefined;
    }
  }
}

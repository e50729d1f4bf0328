// Telemetry as every layer sees it: undefined until the CLI starts the OpenTelemetry SDK, so instrumentation costs one check when off.
import type { Attributes, Counter, Histogram, Meter, Tracer } from "@opentelemetry/api";
import type * as OtelApi from "@opentelemetry/api";

/**
 * Every metric this server exports: the one list docs/operations.md's table follows (test/telemetry/telemetry-docs.test.ts
 * checks it). Labels are low-cardinality on purpose: tool, channel, outcome, method, route template, status; never an
 * id, a name or an argument.
 */
export const METRICS = {
  operationDuration: {
    name: "mcp.server.operation.duration",
    kind: "histogram",
    unit: "s",
    description: "Duration of each MCP request the server answered (OpenTelemetry MCP semantic conventions).",
    labels: [
      "mcp.method.name",
      "gen_ai.tool.name",
      "gen_ai.prompt.name",
      "error.type",
      "mcp.protocol.version",
      "network.transport",
    ],
  },
  sessionDuration: {
    name: "mcp.server.session.duration",
    kind: "histogram",
    unit: "s",
    description:
      "Duration of each MCP session: a stdio connection, or an HTTP session from initialize to its end (OpenTelemetry MCP semantic conventions).",
    labels: ["mcp.protocol.version", "network.transport"],
  },
  confirmations: {
    name: "isc_mcp.confirmations",
    kind: "counter",
    unit: "{confirmation}",
    description: "Confirmations a human was asked for, by tool, the channel whose answer stood, and outcome.",
    labels: ["gen_ai.tool.name", "isc_mcp.confirmation.channel", "isc_mcp.confirmation.outcome"],
  },
  confirmationDuration: {
    name: "isc_mcp.confirmation.duration",
    kind: "histogram",
    unit: "s",
    description: "How long a confirmation took, from asking to the answer (or to the call's end).",
    labels: ["gen_ai.tool.name", "isc_mcp.confirmation.channel", "isc_mcp.confirmation.outcome"],
  },
  confirmationsPending: {
    name: "isc_mcp.confirmations.pending",
    kind: "gauge",
    unit: "{confirmation}",
    description: "Tool calls waiting right now inside this process for a human's answer.",
    labels: [],
  },
  pagesOpen: {
    name: "isc_mcp.confirmation_pages.open",
    kind: "gauge",
    unit: "{page}",
    description: "Confirmation pages open in this process (unanswered, not yet swept as expired).",
    labels: [],
  },
  iscDuration: {
    name: "http.client.request.duration",
    kind: "histogram",
    unit: "s",
    description: "Duration of each HTTP request to ISC (each retry is one), to the response's headers.",
    labels: [
      "http.request.method",
      "url.template",
      "http.response.status_code",
      "error.type",
      "server.address",
      "server.port",
    ],
  },
  iscRateLimited: {
    name: "isc_mcp.isc.rate_limited",
    kind: "counter",
    unit: "{response}",
    description: "Answers of HTTP 429 from ISC.",
    labels: ["http.request.method", "url.template"],
  },
  budgetWait: {
    name: "isc_mcp.isc.rate_budget.wait",
    kind: "histogram",
    unit: "s",
    description: "Time a request waited for a slot in the client-side rate budget before it was sent.",
    labels: [],
  },
  tokenRefreshes: {
    name: "isc_mcp.isc.token.refreshes",
    kind: "counter",
    unit: "{token}",
    description: "Access-token requests to ISC's token endpoint, by outcome.",
    labels: ["isc_mcp.outcome"],
  },
  httpRefused: {
    name: "isc_mcp.http.refused",
    kind: "counter",
    unit: "{request}",
    description: "HTTP requests to /mcp answered 503 because a cap was full: `max-requests` or `max-sessions`.",
    labels: ["isc_mcp.cap"],
  },
} as const;

export interface Instruments {
  operationDuration: Histogram;
  sessionDuration: Histogram;
  confirmations: Counter;
  confirmationDuration: Histogram;
  iscDuration: Histogram;
  iscRateLimited: Counter;
  budgetWait: Histogram;
  tokenRefreshes: Counter;
  httpRefused: Counter;
}

export interface Telemetry {
  /** The @opentelemetry/api module the SDK registered itself with (loaded with it, never at a start without telemetry). */
  api: typeof OtelApi;
  tracer: Tracer;
  /** Spans are exported (OTLP traces on); without, instrumentation makes none and sends no traceparent. */
  spans: boolean;
  instruments: Instruments;
}

/** Short durations dominate (ms-range MCP and ISC requests) but confirmations take minutes: buckets up to 10 min. */
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export function makeInstruments(meter: Meter): Instruments {
  const histogram = (m: { name: string; unit: string; description: string }) =>
    meter.createHistogram(m.name, {
      unit: m.unit,
      description: m.description,
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
  const counter = (m: { name: string; unit: string; description: string }) =>
    meter.createCounter(m.name, { unit: m.unit, description: m.description });
  const gauge = (m: { name: string; unit: string; description: string }, read: () => number) =>
    meter
      .createObservableGauge(m.name, { unit: m.unit, description: m.description })
      .addCallback((result) => result.observe(read()));
  gauge(METRICS.confirmationsPending, () => waitingConfirmations);
  gauge(METRICS.pagesOpen, () => [...pageCounts].reduce((sum, count) => sum + count(), 0));
  return {
    operationDuration: histogram(METRICS.operationDuration),
    sessionDuration: histogram(METRICS.sessionDuration),
    confirmations: counter(METRICS.confirmations),
    confirmationDuration: histogram(METRICS.confirmationDuration),
    iscDuration: histogram(METRICS.iscDuration),
    iscRateLimited: counter(METRICS.iscRateLimited),
    budgetWait: histogram(METRICS.budgetWait),
    tokenRefreshes: counter(METRICS.tokenRefreshes),
    httpRefused: counter(METRICS.httpRefused),
  };
}

let current: Telemetry | undefined;
let waitingConfirmations = 0;
const pageCounts = new Set<() => number>();

/** The running telemetry, or undefined (no OTEL_* endpoint and no --metrics): then instrumentation does nothing. */
export function telemetry(): Telemetry | undefined {
  return current;
}

/** Set once by the CLI after the SDK started (and cleared at shutdown or by tests). */
export function useTelemetry(t: Telemetry | undefined): void {
  current = t;
}

/** A call starts (+1) or stops (-1) waiting for a human's answer: the pending-confirmations gauge. */
export function waitingForHuman(by: 1 | -1): void {
  waitingConfirmations += by;
}

/** The confirmation pages report how many are open; the gauge reads it at each export. Returns the unregistration. */
export function countPagesWith(read: () => number): () => void {
  pageCounts.add(read);
  return () => pageCounts.delete(read);
}

/** Attributes whose value is undefined are left out (the API would drop them with a warning). */
export function defined(attributes: Record<string, string | number | boolean | undefined>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) out[k] = v;
  return out;
}

// The one file that imports the OpenTelemetry SDK: providers, OTLP/HTTP exporters and the Prometheus reader. The bundle
// keeps it in a file of its own (scripts/bundle.ts), loaded only when telemetry is on.
import * as api from "@opentelemetry/api";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader } from "@opentelemetry/sdk-metrics";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from "@opentelemetry/resources";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface SdkOptions {
  serviceName: string;
  serviceVersion: string;
  /** Spans over OTLP/HTTP (endpoint, headers, batching from the standard OTEL_* variables). */
  traces: boolean;
  /** Metrics over OTLP/HTTP, every `exportIntervalMs`. */
  metrics: boolean;
  exportIntervalMs: number;
  /** A Prometheus reader whose text the HTTP listener serves (no server of its own). */
  prometheus: boolean;
  /** Where the SDK's own complaints go (an unreachable collector, say). */
  warn: (message: string) => void;
}

export interface Sdk {
  api: typeof api;
  /** Serves the Prometheus text (only with `prometheus`). */
  prometheus?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Exports what is buffered, then stops. */
  shutdown(): Promise<void>;
}

export function startSdk(opts: SdkOptions): Sdk {
  const say = (message: unknown, ...args: unknown[]) => opts.warn([message, ...args].map(brief).join(" "));
  api.diag.setLogger(
    { error: say, warn: say, info: () => {}, debug: () => {}, verbose: () => {} },
    api.DiagLogLevel.WARN,
  );
  // Ours first, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) win over them.
  const resource = defaultResource()
    .merge(resourceFromAttributes({ "service.name": opts.serviceName, "service.version": opts.serviceVersion }))
    .merge(detectResources({ detectors: [envDetector] }));
  const stops: Array<() => Promise<void>> = [];
  if (opts.traces) {
    const tracer = new NodeTracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
    });
    // AsyncLocalStorage context (an ISC request's span finds its tool call's) and the W3C trace-context propagator.
    tracer.register();
    stops.push(() => tracer.shutdown());
  }
  const readers: IMetricReader[] = [];
  if (opts.metrics)
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: opts.exportIntervalMs,
        exportTimeoutMillis: Math.min(30_000, opts.exportIntervalMs),
      }),
    );
  const prometheus = opts.prometheus ? new PrometheusExporter({ preventServerStart: true }) : undefined;
  if (prometheus) readers.push(prometheus);
  if (readers.length > 0) {
    const meters = new MeterProvider({ resource, readers });
    api.metrics.setGlobalMeterProvider(meters);
    stops.push(() => meters.shutdown());
  }
  return {
    api,
    ...(prometheus
      ? { prometheus: (req: IncomingMessage, res: ServerResponse) => prometheus.getMetricsRequestHandler(req, res) }
      : {}),
    shutdown: async () => {
      await Promise.allSettled(stops.map((stop) => stop()));
    },
  };
}

/** One line for the log: the SDK hands its errors over as JSON with a stack; the operator needs the message. */
function brief(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value !== "string") return String(value);
  try {
    const parsed = JSON.parse(value) as { message?: unknown };
    return typeof parsed?.message === "string" ? parsed.message : value;
  } catch {
    return value;
  }
}

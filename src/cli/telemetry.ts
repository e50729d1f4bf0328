// Starts OpenTelemetry when asked for (the standard OTEL_* variables, or --prometheus): only then is the SDK loaded.
import type { Logger } from "../core/log.js";
import { makeInstruments, useTelemetry } from "../core/telemetry.js";
import { PACKAGE } from "../core/version.js";

export interface TelemetryPlan {
  /** Spans over OTLP/HTTP. */
  traces: boolean;
  /** Metrics over OTLP/HTTP. */
  metrics: boolean;
  /** Metrics as Prometheus text on the HTTP listener. */
  prometheus: boolean;
  exportIntervalMs: number;
}

export interface RunningTelemetry {
  /** Serves the Prometheus text, with --prometheus. */
  prometheus?:
    ((req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void) | undefined;
  /** Exports what is still buffered (at shutdown: the last spans and metrics are not lost), then stops. */
  shutdown(): Promise<void>;
}

/** How long shutdown waits for the last export. */
const FLUSH_MS = 2_000;

/** The standard's default export interval for metrics. */
const DEFAULT_INTERVAL_MS = 60_000;

/**
 * What to export, from the standard variables: a signal is on when an OTLP endpoint is set for it (or its
 * OTEL_*_EXPORTER says otlp, the collector's default address then), and off when its exporter says none or
 * OTEL_SDK_DISABLED=true. Undefined: nothing at all, and nothing is loaded.
 */
export function telemetryPlan(env: NodeJS.ProcessEnv, prometheus: boolean): TelemetryPlan | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  const on = (signal: "TRACES" | "METRICS") => {
    const exporters = (env[`OTEL_${signal}_EXPORTER`] ?? "").split(",").map((e) => e.trim().toLowerCase());
    if (exporters.includes("none")) return false;
    return (
      exporters.includes("otlp") ||
      Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`])
    );
  };
  const traces = on("TRACES");
  const metrics = on("METRICS");
  if (!traces && !metrics && !prometheus) return undefined;
  const interval = Number(env.OTEL_METRIC_EXPORT_INTERVAL);
  return {
    traces,
    metrics,
    prometheus,
    exportIntervalMs: Number.isFinite(interval) && interval > 0 ? interval : DEFAULT_INTERVAL_MS,
  };
}

export async function startTelemetry(
  plan: TelemetryPlan,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningTelemetry> {
  const protocol =
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
    env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL ??
    env.OTEL_EXPORTER_OTLP_PROTOCOL;
  if (protocol && protocol !== "http/json" && protocol !== "http/protobuf") {
    log.warn(
      `OTEL_EXPORTER_OTLP_PROTOCOL=${protocol}: this server exports OTLP over HTTP (JSON bodies) only; point it at a collector's HTTP port (4318).`,
    );
  }
  const { startSdk } = await import("./otel-sdk.js");
  const sdk = startSdk({
    serviceName: PACKAGE.name,
    serviceVersion: PACKAGE.version,
    ...plan,
    warn: (m) => log.warn(`OpenTelemetry: ${m}`),
  });
  const { api } = sdk;
  useTelemetry({
    api,
    tracer: api.trace.getTracer(PACKAGE.name, PACKAGE.version),
    spans: plan.traces,
    instruments: makeInstruments(api.metrics.getMeter(PACKAGE.name, PACKAGE.version)),
  });
  const what = [plan.traces && "traces", plan.metrics && "metrics", plan.prometheus && "Prometheus text at /metrics"]
    .filter(Boolean)
    .join(", ");
  log.info(`OpenTelemetry on: ${what}${plan.traces || plan.metrics ? " over OTLP/HTTP" : ""}`);
  return {
    prometheus: sdk.prometheus,
    shutdown: async () => {
      useTelemetry(undefined);
      // A collector that is down must not hold the exit: the exporters retry for up to their timeout (10 s and more).
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        sdk.shutdown(),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_MS).unref())),
      ]);
      clearTimeout(timer);
    },
  };
}

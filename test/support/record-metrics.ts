// Turns this process's telemetry on with the OpenTelemetry SDK's own MeterProvider and a reader the test collects from: in-process servers' metrics, read as an exporter would.
import * as api from "@opentelemetry/api";
import { MeterProvider, MetricReader, type DataPoint } from "@opentelemetry/sdk-metrics";
import { makeInstruments, useTelemetry } from "../../src/core/telemetry.js";

/** A reader that only collects when asked (no timer, no export). */
class CollectOnDemand extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface RecordedMetrics {
  /** isc_mcp.http.refused's sums by its `isc_mcp.cap` label. */
  refused(): Promise<Record<string, number>>;
  /** Telemetry off again and the provider shut down. */
  stop(): Promise<void>;
}

export function recordMetrics(): RecordedMetrics {
  const reader = new CollectOnDemand();
  const meters = new MeterProvider({ readers: [reader] });
  useTelemetry({
    api,
    tracer: api.trace.getTracer("record-metrics"),
    spans: false,
    instruments: makeInstruments(meters.getMeter("record-metrics")),
  });
  return {
    async refused() {
      const { resourceMetrics } = await reader.collect();
      const points = resourceMetrics.scopeMetrics
        .flatMap((s) => s.metrics)
        .filter((m) => m.descriptor.name === "isc_mcp.http.refused")
        .flatMap((m) => m.dataPoints as Array<DataPoint<number>>);
      return Object.fromEntries(points.map((p) => [String(p.attributes["isc_mcp.cap"]), p.value]));
    },
    async stop() {
      useTelemetry(undefined);
      await meters.shutdown();
    },
  };
}

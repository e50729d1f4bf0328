// A real OTLP/HTTP receiver on 127.0.0.1 for the telemetry tests: takes what the official exporters send (JSON bodies
// on /v1/traces and /v1/metrics), keeps every body as sent, and reads spans and the latest metric points out of them.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

type AnyValue = {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};
type KeyValue = { key: string; value: AnyValue };

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** OTLP's numbers: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string; attributes: Record<string, unknown> }>;
  status: { code?: number; message?: string } | undefined;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

export interface MetricPoint {
  attributes: Record<string, unknown>;
  /** A sum's or gauge's value. */
  value?: number;
  /** A histogram's count and sum. */
  count?: number;
  sum?: number;
}

export interface OtlpReceiver {
  /** What to set OTEL_EXPORTER_OTLP_ENDPOINT to. */
  endpoint: string;
  spans(): ReceivedSpan[];
  /** The data points of the latest export that carried this metric (cumulative: the totals so far). */
  metric(name: string): MetricPoint[] | undefined;
  /** Every body received, as sent: for searching what was exported at all. */
  bodies(): string[];
  /** Paths and content types of the requests received. */
  requests(): Array<{ path: string; contentType: string | undefined }>;
  /** Polls `check` every 50 ms until it returns something truthy; throws after `timeoutMs` / 50 looks (counted, not timed). */
  until<T>(check: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

const valueOf = (v: AnyValue): unknown => {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(valueOf);
  return undefined;
};
export const attributesOf = (kvs: KeyValue[] | undefined): Record<string, unknown> =>
  Object.fromEntries((kvs ?? []).map((kv) => [kv.key, valueOf(kv.value)]));

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: string[] = [];
  const requests: Array<{ path: string; contentType: string | undefined }> = [];
  const spans: ReceivedSpan[] = [];
  const metrics = new Map<string, MetricPoint[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      bodies.push(text);
      requests.push({ path: req.url ?? "", contentType: req.headers["content-type"] });
      try {
        const body = JSON.parse(text) as Record<string, unknown>;
        if (req.url === "/v1/traces") takeSpans(body);
        if (req.url === "/v1/metrics") takeMetrics(body);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  function takeSpans(body: Record<string, unknown>): void {
    for (const rs of (body.resourceSpans ?? []) as Array<{
      scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
    }>) {
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          spans.push({
            traceId: s.traceId as string,
            spanId: s.spanId as string,
            parentSpanId: (s.parentSpanId as string | undefined) || undefined,
            name: s.name as string,
            kind: s.kind as number,
            attributes: attributesOf(s.attributes as KeyValue[]),
            links: ((s.links ?? []) as Array<{ traceId: string; spanId: string; attributes?: KeyValue[] }>).map(
              (l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: attributesOf(l.attributes) }),
            ),
            status: s.status as ReceivedSpan["status"],
            startTimeUnixNano: String(s.startTimeUnixNano),
            endTimeUnixNano: String(s.endTimeUnixNano),
          });
        }
      }
    }
  }
  function takeMetrics(body: Record<string, unknown>): void {
    type Point = {
      attributes?: KeyValue[];
      asInt?: number | string;
      asDouble?: number;
      count?: number | string;
      sum?: number;
    };
    type Metric = {
      name: string;
      sum?: { dataPoints?: Point[] };
      gauge?: { dataPoints?: Point[] };
      histogram?: { dataPoints?: Point[] };
    };
    for (const rm of (body.resourceMetrics ?? []) as Array<{ scopeMetrics?: Array<{ metrics?: Metric[] }> }>) {
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          const points =
            (m.sum ?? m.gauge)?.dataPoints?.map((p) => ({
              attributes: attributesOf(p.attributes),
              value: Number(p.asInt ?? p.asDouble),
            })) ??
            m.histogram?.dataPoints?.map((p) => ({
              attributes: attributesOf(p.attributes),
              count: Number(p.count),
              sum: Number(p.sum),
            })) ??
            [];
          metrics.set(m.name, points);
        }
      }
    }
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans: () => [...spans],
    metric: (name) => metrics.get(name),
    bodies: () => [...bodies],
    requests: () => [...requests],
    async until(check, timeoutMs = 30_000) {
      // Counts looks, not the wall clock: a loaded machine gets as many looks as a quiet one (the test's timeout ends it first).
      for (let looks = 0; ; looks++) {
        const got = check();
        if (got) return got;
        if (looks * 50 > timeoutMs)
          throw new Error(
            `the OTLP receiver did not get what was expected within ${timeoutMs} ms; it has ${spans.length} spans and metrics ${[...metrics.keys()].join(", ") || "none"}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Env for a server exporting to `receiver` quickly: spans after 50 ms, metrics every 200 ms (standard variables). */
export function otelEnv(receiver: OtlpReceiver): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "50",
    OTEL_METRIC_EXPORT_INTERVAL: "200",
  };
}

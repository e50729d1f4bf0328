// The SDK's Server with a SERVER span and a duration per request (OpenTelemetry's MCP conventions), continuing the
// host's trace from params._meta.traceparent (SEP-414). With telemetry off, each request costs one check.
import { Server, type JSONRPCRequest, type Result, type ServerContext } from "@modelcontextprotocol/server";
import type { Attributes } from "@opentelemetry/api";
import { defined, telemetry, type Telemetry } from "../core/telemetry.js";
import { createHash } from "node:crypto";
import { clientEra } from "./client-era.js";

type Handler = (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>;

export class TracedServer extends Server {
  /** A session's start and labels, once an initialize was answered on a connection that is one (stdio, an HTTP session). */
  private session: { at: number; labels: Attributes } | undefined;

  constructor(...args: ConstructorParameters<typeof Server>) {
    super(...args);
    // The connection's end ends the session (mcp.server.session.duration); nothing else in this server sets onclose.
    this.onclose = () => this.sessionEnded();
  }

  /** The SDK's hook around every registered handler (its own validation inside ours), the built-in ones included. */
  protected override _wrapHandler(method: string, handler: Handler): Handler {
    const inner = super._wrapHandler(method, handler);
    const run: Handler = (request, ctx) => {
      const t = telemetry();
      return t ? traced(t, this, method, request, ctx, inner) : inner(request, ctx);
    };
    if (method !== "initialize") return run;
    return async (request, ctx) => {
      const result = await run(request, ctx);
      // A stateless HTTP request answers initialize on a server that ends with the request: no session to time.
      if (telemetry() && (!ctx.http || ctx.sessionId !== undefined)) {
        this.session = {
          at: performance.now(),
          labels: defined({
            "mcp.protocol.version": (result as { protocolVersion?: string }).protocolVersion,
            "network.transport": ctx.http ? "tcp" : "pipe",
          }),
        };
      }
      return result;
    };
  }

  private sessionEnded(): void {
    const { session } = this;
    this.session = undefined;
    if (session)
      telemetry()?.instruments.sessionDuration.record((performance.now() - session.at) / 1000, session.labels);
  }
}

/** The span's target: the tool's or prompt's name. A resource's URI holds identity ids: never part of a name. */
function targetOf(method: string, params: Record<string, unknown> | undefined): { tool?: string; prompt?: string } {
  const name = typeof params?.name === "string" ? params.name : undefined;
  if (method === "tools/call") return { tool: name };
  if (method === "prompts/get") return { prompt: name };
  return {};
}

async function traced(
  t: Telemetry,
  server: Server,
  method: string,
  request: JSONRPCRequest,
  ctx: ServerContext,
  inner: Handler,
): Promise<Result> {
  const { api } = t;
  const params = request.params as Record<string, unknown> | undefined;
  const { tool, prompt } = targetOf(method, params);
  const started = performance.now();
  const era = safeEra(server, ctx);
  const labels = defined({
    "mcp.method.name": method,
    "gen_ai.tool.name": tool,
    "gen_ai.prompt.name": prompt,
    "mcp.protocol.version": era,
    // stdio is a pipe; everything else here is HTTP over TCP.
    "network.transport": ctx.http ? "tcp" : "pipe",
  });
  let errorType: string | undefined;
  const finish = () => {
    const duration = (performance.now() - started) / 1000;
    t.instruments.operationDuration.record(duration, errorType ? { ...labels, "error.type": errorType } : labels);
  };
  if (!t.spans) {
    try {
      const result = await inner(request, ctx);
      if ((result as { isError?: unknown }).isError === true) errorType = "tool_error";
      return result;
    } catch (err) {
      errorType = errorTypeOf(err);
      throw err;
    } finally {
      finish();
    }
  }
  // The host's trace, if its request carries one (params._meta.traceparent / tracestate); else a trace of our own.
  const meta = params?._meta as Record<string, unknown> | undefined;
  const carrier: Record<string, string> = {};
  for (const key of ["traceparent", "tracestate"])
    if (typeof meta?.[key] === "string") carrier[key] = meta[key] as string;
  const parent = api.propagation.extract(api.ROOT_CONTEXT, carrier);
  const target = tool ?? prompt;
  const span = t.tracer.startSpan(
    target ? `${method} ${target}` : method,
    {
      kind: api.SpanKind.SERVER,
      attributes: {
        ...labels,
        "jsonrpc.request.id": String(request.id),
        ...(tool ? { "gen_ai.operation.name": "execute_tool" } : {}),
        ...(ctx.sessionId ? { "mcp.session.id": sessionTag(ctx.sessionId) } : {}),
      },
    },
    parent,
  );
  try {
    const result = await api.context.with(api.trace.setSpan(parent, span), () => inner(request, ctx));
    if ((result as { isError?: unknown }).isError === true) {
      errorType = "tool_error";
      span.setStatus({ code: api.SpanStatusCode.ERROR });
    }
    return result;
  } catch (err) {
    errorType = errorTypeOf(err);
    span.setStatus({ code: api.SpanStatusCode.ERROR });
    throw err;
  } finally {
    if (errorType) span.setAttribute("error.type", errorType);
    span.end();
    finish();
  }
}

/** A JSON-RPC error's code (the convention's error.type), else the error's class name; never its message. */
function errorTypeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "number") return String(code);
  return err instanceof Error ? err.name : "unknown";
}

/**
 * Over HTTP the session id is what a client presents to use its session: a span carries a digest of it (enough to
 * group one session's requests), never the id itself.
 */
function sessionTag(sessionId: string): string {
  return createHash("sha256").update(sessionId).digest("hex").slice(0, 16);
}

function safeEra(server: Server, ctx: ServerContext): string | undefined {
  try {
    return clientEra(server, ctx).version;
  } catch {
    return undefined;
  }
}

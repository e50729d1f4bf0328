// Plain JSON answers for requests the MCP transport never sees (refused, too large, unknown path), in JSON-RPC error shape.
import type { ServerResponse } from "node:http";

/** JSON-RPC error codes the SDK's own transport uses for HTTP-level failures. */
export const JSONRPC = { serverError: -32000, sessionNotFound: -32001, parseError: -32700 } as const;

export function replyError(
  res: ServerResponse,
  status: number,
  message: string,
  options: { code?: number; headers?: Record<string, string> } = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = JSON.stringify({
    jsonrpc: "2.0",
    error: { code: options.code ?? JSONRPC.serverError, message },
    id: null,
  });
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...options.headers });
  res.end(body);
}

export function replyJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(value));
}

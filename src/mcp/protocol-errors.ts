// JSON-RPC errors for tools, prompts and resources: the SDK's ProtocolError, whose message goes out as written (no code prefix).
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";

/** -32602; `data` travels as the error's `data` (e.g. `{ uri }` for a missing resource, SEP-2164). */
export function invalidParams(message: string, data?: Record<string, unknown>): Error {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, message, data);
}

export function internalError(message: string): Error {
  return new ProtocolError(ProtocolErrorCode.InternalError, message);
}

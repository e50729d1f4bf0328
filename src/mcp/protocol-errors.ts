// JSON-RPC errors for tools, prompts and resources. McpError would prefix its own code to the message, which the client prefixes again.
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";

/** -32602; `data` travels as the error's `data` (e.g. `{ uri }` for a missing resource, SEP-2164). */
export function invalidParams(message: string, data?: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { code: ErrorCode.InvalidParams }, data ? { data } : {});
}

export function internalError(message: string): Error {
  return Object.assign(new Error(message), { code: ErrorCode.InternalError });
}

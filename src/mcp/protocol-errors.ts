// JSON-RPC errors for prompts and resources. McpError would prefix its own code to the message, which the client prefixes again.
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";

export function invalidParams(message: string): Error {
  return Object.assign(new Error(message), { code: ErrorCode.InvalidParams });
}

export function internalError(message: string): Error {
  return Object.assign(new Error(message), { code: ErrorCode.InternalError });
}

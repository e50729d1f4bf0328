// MCP over stdio: the SDK's transport, plus a JSON-RPC error (id null) for a line that is not JSON or not a message, instead of silence.
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../core/log.js";

/**
 * The SDK's transport drops a line it cannot read and reports it only to `onerror`: a JSON.parse SyntaxError for a
 * line that is not JSON, a ZodError for JSON that is no JSON-RPC message (no method, result or error). JSON-RPC 2.0
 * answers those with -32700 / -32600 and `id: null` (the id could not be read), and the server reads on. A schema
 * failure is answered even when the line looked like a malformed response: the error does not say which it was.
 * What the line held is never logged (it may carry anything); other transport errors are logged as they are.
 */
export function createStdioTransport(log: Logger): StdioServerTransport {
  const transport = new StdioServerTransport();
  // Set before connect(): the SDK's Protocol keeps this handler and calls its own after it.
  transport.onerror = (err) => {
    const answer =
      err instanceof SyntaxError
        ? { code: ErrorCode.ParseError, message: "Parse error: the line is not JSON.", why: "a line that is not JSON" }
        : err.name === "ZodError"
          ? { code: ErrorCode.InvalidRequest, message: "Invalid Request: not a JSON-RPC 2.0 request, notification or response.", why: "a JSON line that is not a JSON-RPC message" }
          : undefined;
    if (!answer) {
      log.debug(`stdio: ${err.message}`);
      return;
    }
    log.debug(`stdio: answered ${answer.why} with ${answer.code} (id null)`);
    // id null is what JSON-RPC prescribes here; the SDK's message type has no room for it.
    const reply = { jsonrpc: "2.0", id: null, error: { code: answer.code, message: answer.message } } as unknown as JSONRPCMessage;
    transport.send(reply).catch((sendErr: unknown) => log.debug(`stdio: could not send the error: ${String(sendErr)}`));
  };
  return transport;
}

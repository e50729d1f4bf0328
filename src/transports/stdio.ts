// MCP over stdio, both protocol eras: one JSON-RPC message per line, and a JSON-RPC error (id null) for a line that is not JSON or not a message.
import type { Readable, Writable } from "node:stream";
import {
  parseJSONRPCMessage,
  ProtocolErrorCode,
  serializeMessage,
  type JSONRPCMessage,
  type Server,
  type Transport,
} from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import type { Logger } from "../core/log.js";

/** A line longer than this (no newline yet) ends the connection, as the SDK's own transport does. */
const MAX_LINE_BYTES = 10 * 1024 * 1024;

const ANSWERS = {
  parse: {
    code: ProtocolErrorCode.ParseError,
    message: "Parse error: the line is not JSON.",
    why: "a line that is not JSON",
  },
  invalid: {
    code: ProtocolErrorCode.InvalidRequest,
    message: "Invalid Request: not a JSON-RPC 2.0 request, notification or response.",
    why: "a JSON line that is not a JSON-RPC message",
  },
} as const;

/**
 * Our own, not the SDK's StdioServerTransport, which drops a line it cannot read without a word and closes itself at the
 * end of stdin, cancelling the calls still running. JSON-RPC 2.0 answers an unreadable line with -32700 (not JSON) or
 * -32600 (JSON, but no request, notification or response) and `id: null` (the id could not be read), and the server
 * reads on. JSON that looks like a malformed response is answered too: a schema failure does not say which it was.
 * The end of stdin is left to serve.ts, which lets the calls in progress finish and answer before it closes the server.
 * What a line held is never logged (it may carry anything).
 */
export class StdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private pending: Buffer | undefined;
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly input: Readable = process.stdin,
    private readonly output: Writable = process.stdout,
  ) {}

  async start(): Promise<void> {
    this.input.on("data", this.onData);
    this.input.on("error", this.onInputError);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    await this.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off("data", this.onData);
    this.input.off("error", this.onInputError);
    this.input.pause();
    this.pending = undefined;
    this.onclose?.();
  }

  private readonly onInputError = (err: Error) => {
    this.log.debug(`stdio: ${err.message}`);
    this.onerror?.(err);
  };

  private readonly onData = (chunk: Buffer) => {
    let buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let newline: number;
    while ((newline = buffer.indexOf(0x0a)) !== -1) {
      const line = buffer.toString("utf8", 0, newline).replace(/\r$/, "");
      buffer = buffer.subarray(newline + 1);
      this.receive(line);
      // A message may have closed the connection: what follows it in this chunk is not read.
      if (this.closed) return;
    }
    this.pending = buffer.length > 0 ? buffer : undefined;
    if (buffer.length > MAX_LINE_BYTES) {
      const err = new Error(`a line longer than ${MAX_LINE_BYTES} bytes: the connection is closed`);
      this.log.debug(`stdio: ${err.message}`);
      this.onerror?.(err);
      void this.close();
    }
  };

  private receive(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return this.answer(ANSWERS.parse);
    }
    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(value);
    } catch {
      return this.answer(ANSWERS.invalid);
    }
    this.onmessage?.(message);
  }

  private answer(answer: (typeof ANSWERS)[keyof typeof ANSWERS]): void {
    this.log.debug(`stdio: answered ${answer.why} with ${answer.code} (id null)`);
    // id null is what JSON-RPC prescribes here; the SDK's message type has no room for it.
    this.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: answer.code, message: answer.message } })}\n`,
    ).catch((err: unknown) => this.log.debug(`stdio: could not send the error: ${String(err)}`));
  }

  private write(text: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error("stdio transport is closed"));
    return new Promise((resolve) => {
      if (this.output.write(text)) resolve();
      else this.output.once("drain", resolve);
    });
  }
}

export function createStdioTransport(log: Logger): StdioTransport {
  return new StdioTransport(log);
}

/**
 * Serves this process's stdio in whichever era the client opens with: a 2025 `initialize`, a 2026-07-28
 * `server/discover` (or any request carrying the 2026 envelope), or a discover followed by a 2025 `initialize` (what
 * hosts that probe send). The SDK's era negotiation picks the era and pins one server for the connection; it may call
 * `makeServer` twice (the discover probe's server is dropped when the client falls back to initialize), so whatever
 * must be one per process (guard, audit log, calls in progress) lives outside it. The lines go through our transport.
 */
export function serveStdioBothEras(
  makeServer: () => Server,
  log: Logger,
  transport: Transport = createStdioTransport(log),
): { close(): Promise<void> } {
  return serveStdio(() => makeServer(), {
    legacy: "serve",
    transport,
    onerror: (err) => log.debug(`stdio: ${err.message}`),
  });
}

// What a tool handler gets for one call: the ISC client bound to the call's deadline, config, progress and confirmation.
import type { Config } from "../config/resolve.js";
import type { Actor } from "../guard/audit.js";
import type { Guard } from "../guard/index.js";
import type { IscClient, Method, RequestOptions, IscResponse } from "../isc/client.js";
import type { Logger } from "../core/log.js";

export interface ElicitResult {
  action: "accept" | "decline" | "cancel";
  content?: Record<string, unknown>;
}

export interface ToolContext {
  config: Config;
  /** The tool being called (for the guard's audit lines and code binding). */
  toolName: string;
  /** The signed-in person who made the call (HTTP with sign-in only), for the audit line. */
  actor?: Actor | undefined;
  /** Confirmation and audit for non-read tools: they act only through `guard.run`. */
  guard: Guard;
  isc: IscClient;
  /** Cancelled when the MCP client cancels the call or its deadline passes. */
  signal: AbortSignal;
  log: Logger;
  /** `isc.request` with this call's signal. */
  request<T = unknown>(method: Method, path: string, options?: Omit<RequestOptions, "signal">): Promise<IscResponse<T>>;
  /** Sends an MCP progress notification when the caller asked for progress; otherwise does nothing. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** Whether the connected client declared the elicitation capability. */
  canElicit: boolean;
  /** Asks the human through the client (form mode). Only call when `canElicit`. */
  elicit(message: string, requestedSchema: Record<string, unknown>): Promise<ElicitResult>;
}

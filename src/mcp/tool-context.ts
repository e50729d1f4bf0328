// What a read tool's handler gets for one call: a read-only ISC handle bound to the call's deadline, and progress.
import type { IscRead } from "../isc/body.js";

export interface ToolContext {
  /** GET only, with the zod schema of the body expected; writes exist only in a write tool's `act`. */
  request: IscRead;
  /** Sends an MCP progress notification when the caller asked for progress; otherwise does nothing. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
}

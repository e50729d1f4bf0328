// The audit log: one JSON line per call of a non-read tool, to a file (--audit-log) or stderr. Never secrets, codes or emails.
import { appendFileSync } from "node:fs";
import { ConfigError } from "../core/errors.js";
import { redact } from "../core/log.js";
import type { Actor } from "./actor.js";

export type AuditOutcome = "executed" | "refused" | "failed";
/** The confirmation channel whose answer stands ("form", "code", ...), or that would have been asked first on a call refused before anyone answered; "none-needed"; or "none-available" (no channel could be used). */
export type ConfirmationMethod = string;

export interface AuditEntry {
  tool: string;
  tenant: string;
  apiVersion: string;
  /** The MCP protocol version the call came in: "2026-07-28" for a 2026-era request, else what initialize negotiated. */
  era?: string;
  /** Identity ids only: names and emails stay out of the log. */
  targetIds: string[];
  outcome: AuditOutcome;
  confirmation: ConfirmationMethod;
  /** Why a call was refused or failed, as a stable key (e.g. "declined", "blocked"); on an executed one, "unexpected-body" when ISC's answer could not be read. */
  reason?: string;
  httpStatus?: number;
  trackingId?: string;
  /** ISC task or job id of an executed call. */
  taskId?: string;
  /** Who asked, when the HTTP transport signs people in. */
  actor?: Actor;
  /** Who confirmed, with sign-in: the person the confirmation page signed in, or the asker on their own client's form. */
  confirmedBy?: Actor;
  /** Channels asked before the one in `confirmation` whose answer did not count, e.g. `{ channel: "form", reason: "auto-declined" }`. */
  passedOver?: Array<{ channel: string; reason: string }>;
}

export interface AuditLog {
  record(entry: AuditEntry): void;
  /** Stops writing; later records are dropped. */
  close(): Promise<void>;
}

export interface AuditLogOptions {
  /** Append to this file; checked for writability at once so a bad path fails at start-up. */
  file?: string | undefined;
  /** Where lines go without a file. @default process.stderr */
  write?: (line: string) => void;
  now?: () => number;
}

export function createAuditLog(opts: AuditLogOptions = {}): AuditLog {
  const { file } = opts;
  const now = opts.now ?? Date.now;
  if (file) {
    try {
      appendFileSync(file, "");
    } catch (err) {
      throw new ConfigError(`Cannot write the audit log "${file}": ${(err as Error).message}`);
    }
  }
  // Synchronous appends: the line is on disk before the tool's result goes back, and a crash loses nothing.
  const write = file
    ? (line: string) => appendFileSync(file, line)
    : (opts.write ?? ((line: string) => process.stderr.write(line)));
  let closed = false;
  return {
    record(entry) {
      if (closed) return;
      const line = { time: new Date(now()).toISOString(), ...entry };
      // Belt and braces: whatever was registered as a secret is masked even if it slipped into a field.
      write(redact(JSON.stringify(line)) + "\n");
    },
    close: async () => {
      closed = true;
    },
  };
}

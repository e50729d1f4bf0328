// Helpers for the write-tool and guard tests: what reached the sandbox, what the audit log says, clocks and answers.
import type { ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import type { AuditEntry } from "../../src/guard/audit.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import type { Harness } from "./harness.js";

/** Requests that could change the tenant: anything but reads and the token endpoint. */
export function writeRequests(sandbox: Sandbox): Array<{ method: string; path: string; body: string }> {
  return sandbox.requests
    .filter((r) => r.method !== "GET" && r.path !== "/oauth/token")
    .map(({ method, path, body }) => ({ method, path, body }));
}

export type AuditLine = AuditEntry & { time: string };

export function auditEntries(h: Pick<Harness, "audit">): AuditLine[] {
  return h.audit.map((line) => JSON.parse(line) as AuditLine);
}

export function lastAudit(h: Pick<Harness, "audit">): AuditLine {
  const entry = auditEntries(h).at(-1);
  if (!entry) throw new Error("no audit line was written");
  return entry;
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.parse("2026-01-01T09:00:00Z")) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** An elicitation handler the test can swap between calls; it remembers every message it was shown. */
export function scriptedHuman() {
  const seen: Array<{ message: string; schema: unknown }> = [];
  let next: (message: string) => ElicitResult | Promise<ElicitResult> = () => ({ action: "cancel" });
  return {
    seen,
    answer(fn: (message: string) => ElicitResult | Promise<ElicitResult>) {
      next = fn;
    },
    onElicit: (message: string, schema: unknown) => {
      seen.push({ message, schema });
      return next(message);
    },
  };
}

// The one decision flow of every non-read tool: cooldown, preview, confirmation (elicitation or code), re-check, act, audit.
import { randomBytes } from "node:crypto";
import type { AuditEntry, AuditLog, ConfirmationMethod } from "./audit.js";
import type { Config } from "../config/resolve.js";
import { ConfigError, IscError, Refusal, type RefusalReason } from "../core/errors.js";
import { registerSecret } from "../core/log.js";
import type { ToolContext } from "../mcp/tool-context.js";
import { createCodeBook } from "./codes.js";
import { confirmationForm, readAnswer, type ConfirmBy } from "./elicit.js";
import { PROCESS_MEMORY, type GuardMemory } from "./store.js";
import type { ConfirmationRequired } from "../mcp/guarded-output.js";
import { currentFingerprint, readPreview, type Preview, type PreviewSpec } from "./preview.js";
import { CODE_REFUSALS, refusal } from "./refusal.js";

export interface ActResult<R> {
  value: R;
  httpStatus: number;
  /** ISC task or job id, for the audit line. */
  taskId?: string;
}

export interface GuardSpec<R> {
  /** The validated arguments; a code is bound to them (and `confirmationCode` is read from them). */
  args: Record<string, unknown> & { confirmationCode?: string | undefined };
  /** Identity ids for the audit log. */
  targetIds: string[];
  /** Our words for what will happen, shown in previews. */
  action: string;
  /** One sentence for refusals, e.g. "The identity was not deleted." */
  notDone: string;
  confirm: ConfirmBy | "none";
  /** What to read and show before asking; needed unless `confirm` is "none". */
  preview?: PreviewSpec;
  /** What to do about blockers found by the preview. */
  blockedNext?: string;
  /** Refuse (without calling ISC) when the same tool ran on the same targets this recently. */
  cooldownMs?: number;
  uninvited?: boolean;
  act(): Promise<ActResult<R>>;
}

export type Executed<R> = { status: "executed"; value: R; confirmation: ConfirmationMethod; preview?: Preview };
export type GuardOutcome<R> = Executed<R> | ConfirmationRequired;

export interface Guard {
  /** Without confirmation the outcome is always "executed" (or a thrown refusal/failure). */
  run<R>(ctx: ToolContext, spec: GuardSpec<R> & { confirm: "none" }): Promise<Executed<R>>;
  run<R>(ctx: ToolContext, spec: GuardSpec<R>): Promise<GuardOutcome<R>>;
}

export interface GuardOptions {
  config: Pick<Config, "confirm" | "confirmTtlSeconds" | "confirmKey">;
  audit: AuditLog;
  /** HMAC key for confirmation codes. @default config.confirmKey (ISC_MCP_CONFIRM_KEY), else a random key made once per process */
  key?: string;
  /** Clock for code expiry and cooldowns (tests inject one). @default Date.now */
  now?: () => number;
  /** @default the process-wide memory */
  memory?: GuardMemory;
}

/** One random key per process, so every server in it (HTTP sessions, stateless requests) accepts the others' codes. */
let processKey: string | undefined;

export function createGuard(opts: GuardOptions): Guard {
  const key = opts.key ?? opts.config.confirmKey ?? (processKey ??= randomBytes(32).toString("hex"));
  if (key.length < 16) throw new ConfigError("ISC_MCP_CONFIRM_KEY must be at least 16 characters long.");
  registerSecret(key);
  const now = opts.now ?? Date.now;
  const memory = opts.memory ?? PROCESS_MEMORY;
  const ttlMs = opts.config.confirmTtlSeconds * 1000;
  const codes = createCodeBook({ key, ttlMs, now, memory });

  async function run<R>(ctx: ToolContext, spec: GuardSpec<R>): Promise<GuardOutcome<R>> {
    const tool = ctx.toolName;
    const confirmation: ConfirmationMethod =
      spec.confirm === "none" ? "none-needed" : ctx.canElicit || opts.config.confirm === "strict" ? "elicitation" : "code";
    const base = { tool, tenant: ctx.isc.tenant, apiVersion: ctx.isc.apiVersion, targetIds: spec.targetIds, confirmation, ...(spec.uninvited ? { uninvited: true } : {}), ...(ctx.actor ? { actor: ctx.actor } : {}) };
    const record = (entry: Omit<AuditEntry, keyof typeof base>) => opts.audit.record({ ...base, ...entry });
    const refuse = (reason: RefusalReason, why: string, next: string, status?: number, trackingId?: string) =>
      refusal(tool, spec.notDone, reason, why, next, status, trackingId);

    // Reads before acting change nothing: their failures are refusals, not "may have happened".
    const reading = async <T>(read: () => Promise<T>): Promise<T> => {
      try {
        return await read();
      } catch (err) {
        if (!(err instanceof IscError)) throw err;
        if (err.status === 404) throw refuse("target-gone", "the identity does not exist (ISC answered 404).", "Find the right id with list_identities.", 404, err.trackingId);
        const tracking = err.trackingId ? ` (ISC trackingId ${err.trackingId})` : "";
        throw refuse("target-unreadable", `reading the target before acting failed: ${err.message}${tracking}`, "Retry in a moment; nothing was attempted.", err.status, err.trackingId);
      }
    };

    try {
      const cooldownKey = `${ctx.isc.tenant}\0${tool}\0${spec.targetIds.join(",")}`;
      if (spec.cooldownMs) {
        const last = memory.lastRun.get(cooldownKey);
        if (last !== undefined && now() - last < spec.cooldownMs) {
          const wait = Math.max(1, Math.ceil((last + spec.cooldownMs - now()) / 1000));
          const ago = Math.floor((now() - last) / 1000);
          throw refuse("too-soon", `ISC allows this once per ${spec.cooldownMs / 1000} s per identity, and this server asked ${ago < 1 ? "less than 1 s" : `${ago} s`} ago, so ISC was not called.`, `Retry after ${wait} s.`);
        }
      }

      let preview: Preview | undefined;
      if (spec.confirm !== "none") {
        const previewSpec = spec.preview;
        if (!previewSpec) throw new Error(`${tool} needs confirmation but gave the guard nothing to preview`);
        const p = await reading(() => readPreview(ctx, previewSpec, spec.action));
        preview = p;
        if (p.blockers.length > 0) {
          throw refuse("blocked", `it cannot succeed, so nobody was asked to confirm:\n${p.blockers.map((b) => `- the identity ${b}`).join("\n")}`, spec.blockedNext ?? "Resolve the above first.");
        }
        if (ctx.canElicit) {
          const form = confirmationForm(spec.confirm, p);
          let result;
          try {
            result = await ctx.elicit(form.message, form.requestedSchema);
          } catch {
            throw refuse("elicitation-failed", "the confirmation could not be completed (the client answered with an error, or nobody answered in time).", "Ask the user whether to try again.");
          }
          const answer = readAnswer(spec.confirm, p, result);
          if (!answer.ok) {
            const next = answer.reason === "name-mismatch" ? "Call again only if the user wants to retry; they must type the name exactly." : "Tell the user it was not done; call again only if they ask for it.";
            throw refuse(answer.reason, answer.why, next);
          }
          // A human may have taken minutes: read the target again right before acting.
          const current = await reading(() => currentFingerprint(ctx, previewSpec));
          if (current !== p.fingerprint) {
            throw refuse("target-changed", "the identity changed (or is gone) while the user was confirming.", "Call again to show the user the current state.");
          }
        } else if (opts.config.confirm === "strict") {
          throw refuse("elicitation-required", "this server is set to --confirm strict, which accepts only a human's confirmation through the MCP client (elicitation), and this client does not support elicitation.", "Tell the user; they can do this from a client that supports elicitation, or in SailPoint ISC directly.");
        } else {
          const { confirmationCode, ...args } = spec.args;
          const binding = { tool, tenant: ctx.isc.tenant, args, target: p.fingerprint };
          if (!confirmationCode) {
            const issued = codes.issue(binding);
            record({ outcome: "refused", reason: "confirmation-required" });
            return { status: "confirmation_required", preview: p, code: issued.code, expiresAt: new Date(issued.expiresAt).toISOString() };
          }
          // The fresh preview above is the re-check: the code is bound to what the user saw.
          const redeemed = codes.redeem(confirmationCode, binding);
          if (!redeemed.ok) {
            const reason = redeemed.reason === "target-changed" ? "target-changed" : (`code-${redeemed.reason}` as const);
            const [why, next] = CODE_REFUSALS[reason];
            throw refuse(reason, why, next);
          }
        }
      }

      if (spec.cooldownMs) {
        // Entries past their cooldown say nothing any more: drop them so the map stays as small as the recent activity.
        for (const [key, at] of memory.lastRun) if (now() - at >= spec.cooldownMs) memory.lastRun.delete(key);
        memory.lastRun.set(cooldownKey, now());
      }
      const done = await spec.act();
      record({ outcome: "executed", httpStatus: done.httpStatus, ...(done.taskId ? { taskId: done.taskId } : {}) });
      return { status: "executed", value: done.value, confirmation, ...(preview ? { preview } : {}) };
    } catch (err) {
      if (err instanceof Refusal) {
        record({ outcome: "refused", reason: err.reason, ...(err.httpStatus ? { httpStatus: err.httpStatus } : {}), ...(err.trackingId ? { trackingId: err.trackingId } : {}) });
      } else if (err instanceof IscError) {
        record({ outcome: "failed", reason: err.kind, ...(err.status ? { httpStatus: err.status } : {}), ...(err.trackingId ? { trackingId: err.trackingId } : {}) });
      } else {
        record({ outcome: "failed", reason: "internal" });
      }
      throw err;
    }
  }

  // The overload's narrowing holds because "none" never reaches the confirmation branch.
  return { run: run as Guard["run"] };
}

// What the URL and browser channels share: one page per binding, a bounded wait with progress, and the answer used once.
import type { ConfirmationPages } from "../page/pages.js";
import { sampleNames } from "../page/sample.js";
import { acceptedNames, pageViewOf } from "../page/view-of.js";
import type { PendingConfirmation } from "../store.js";
import type { ChannelAnswer, ConfirmationAsk } from "./channel.js";

const TELL = "Tell the user it was not done; call again only if they ask for it.";
const USED: ChannelAnswer = {
  kind: "refused",
  reason: "cancelled",
  why: "another call of this tool with the same arguments already used the user's answer (moments ago).",
  next: "Do not call again for this; check the result instead (e.g. with get_identity).",
};
/** How often a waiting call reports progress (when the client gave a progress token). */
const PROGRESS_EVERY_MS = 5_000;
/** A waiting call answers this long before its deadline, so the model gets a result, not a timeout. */
const DEADLINE_MARGIN_MS = 5_000;

export interface PageFlow {
  pages: ConfirmationPages;
  /** --confirm-wait in ms. */
  waitMs: number;
  /** The channel's name, stored with the pending confirmation. */
  channel: string;
  /** Completes "a confirmation is waiting for the user …". */
  where: string;
  /** Shows a newly opened page to the human; a refusal when that failed (the page is then cancelled). */
  show(url: string, pending: PendingConfirmation, req: ConfirmationAsk): Promise<ChannelAnswer | undefined>;
  /** Told when this call saw the human's answer (URL elicitation sends its completion notification). */
  answered?(pending: PendingConfirmation, req: ConfirmationAsk): void;
}

/**
 * The first call opens the page and waits; a later call with the same binding (tool, tenant, exact
 * arguments, previewed target) finds the same page: it acts if the human confirmed, waits again if
 * not, refuses if they cancelled or the page expired. Only one call can take an answer.
 */
export async function askOnPage(flow: PageFlow, req: ConfirmationAsk): Promise<ChannelAnswer> {
  const { binding, store, now, call } = req;
  let pending = await store.findPending({ binding: binding.key }, now());
  if (!pending) {
    // The same call as one that just used the user's yes (e.g. two re-calls racing): no second page.
    if (flow.pages.justUsed(binding.key)) return USED;
    if (flow.pages.takeExpired(binding.key)) {
      return { kind: "refused", reason: "cancelled", why: "the confirmation page expired before the user answered it.", next: "Call again to open a new confirmation page, if the user still wants this." };
    }
    const sample = req.preview.count !== undefined ? await sampleNames(call.read, binding.args) : undefined;
    const view = pageViewOf({ tool: binding.tool, tenant: binding.tenant, preview: req.preview, by: req.by, ...(sample ? { sample } : {}) });
    const opened = await flow.pages.open({ binding: binding.key, channel: flow.channel, data: { view, accept: acceptedNames(req.preview), requestedBy: req.asker, fourEyes: req.fourEyes }, expiresAt: now() + req.ttlMs });
    pending = opened.pending;
    // Opened by a concurrent call of the same binding: that call shows it; this one only waits.
    if (opened.created) {
      const failed = await flow.show(opened.url, pending, req);
      if (failed) {
        await store.answerPending(pending.id, { confirmed: false, reason: "cancelled", why: failed.kind === "refused" || failed.kind === "unshown" ? failed.why : "the page could not be shown." }, now());
        await store.takeAnswered(binding.key, now());
        flow.pages.used(pending.id, false);
        return failed;
      }
    }
  }

  if (!pending.answer) {
    const bound = Math.max(0, Math.min(flow.waitMs, call.deadline - now() - DEADLINE_MARGIN_MS));
    const started = now();
    let seen: PendingConfirmation | undefined = pending;
    const tell = (waited: number) => call.progress(waited, Math.round(bound / 1000), `Waiting for the user to answer the confirmation page ${flow.where}`).catch(() => {});
    await tell(0);
    while (seen && !seen.answer && !call.signal.aborted && now() - started < bound) {
      const slice = Math.min(PROGRESS_EVERY_MS, bound - (now() - started));
      seen = await flow.pages.wait(pending.id, slice, call.signal);
      if (seen && !seen.answer) await tell(Math.round((now() - started) / 1000));
    }
    if (!seen) {
      if (flow.pages.takeExpired(binding.key)) return { kind: "refused", reason: "cancelled", why: "the confirmation page expired before the user answered it.", next: "Call again to open a new confirmation page, if the user still wants this." };
      return USED;
    }
    if (!seen.answer) return { kind: "pending", where: flow.where, expiresAt: seen.expiresAt };
    pending = seen;
  }

  flow.answered?.(pending, req);
  // Marked before taking, so a concurrent identical call sees it at once.
  if (pending.answer) flow.pages.used(pending.id, pending.answer.confirmed);
  const taken = await store.takeAnswered(binding.key, now());
  if (!taken?.answer) return USED;
  if (taken.answer.confirmed) return { kind: "confirmed", waited: true, by: taken.answer.by };
  const next = taken.answer.reason === "name-mismatch" ? "Call again only if the user wants to retry; they must type the name exactly." : TELL;
  return { kind: "refused", reason: taken.answer.reason, why: taken.answer.why, next };
}

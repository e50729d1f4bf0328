// What the URL and browser channels share: one page per binding, a bounded wait with progress, and the answer used once.
import { TooManyPending } from "../page/open-count.js";
import type { ConfirmationPages } from "../page/pages.js";
import { sampleNames } from "../page/sample.js";
import { acceptedNames, pageViewOf } from "../page/view-of.js";
import type { PendingConfirmation } from "../store.js";
import { PREVIEW_PROGRESS, type ChannelAnswer, type ConfirmationAsk } from "./channel.js";

const TELL = "Tell the user it was not done; call again only if they ask for it.";
const EXPIRED: ChannelAnswer = {
  kind: "refused",
  reason: "cancelled",
  why: "the confirmation page expired before the user answered it.",
  next: "Call again to open a new confirmation page, if the user still wants this.",
};
/** Another call already took the answer: the model checks the result the way the tool's plan says (`verify`). */
const used = (req: ConfirmationAsk): ChannelAnswer => ({
  kind: "refused",
  reason: "cancelled",
  why: "another call of this tool with the same arguments already used the user's answer (moments ago).",
  next: `Do not call again for this; check the result instead with ${req.about.verify}.`,
});
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
  const { binding, now, call } = req;
  const { pages } = flow;
  // A round that answers this channel's question finds the page it showed, or nothing: never a second page.
  const found =
    (await pages.find(binding.key)) ??
    (req.resumed ? ((await pages.settled(binding.key)) === "used" ? used(req) : EXPIRED) : await openPage(flow, req));
  if ("kind" in found) return found;
  let pending: PendingConfirmation = found;

  if (!pending.answer) {
    // A 2025 round whose call already waited on this page before the round began (waitOnPage): no second wait.
    if (req.resumed?.waited) return { kind: "pending", where: flow.where, expiresAt: pending.expiresAt };
    const seen = await waitOnPage(pages, flow.waitMs, pending.id, call, flow.where, now);
    if (!seen) return (await pages.settled(binding.key)) === "expired" ? EXPIRED : used(req);
    if (!seen.answer) return { kind: "pending", where: flow.where, expiresAt: seen.expiresAt };
    pending = seen;
  }

  flow.answered?.(pending, req);
  // Taken once, on any replica; a concurrent identical call finds it taken ("used").
  const taken = await pages.take(binding.key, pending.id);
  if (!taken?.answer) return used(req);
  if (taken.answer.confirmed) return { kind: "confirmed", waited: true, by: taken.answer.by };
  const next =
    taken.answer.reason === "name-mismatch"
      ? "Call again only if the user wants to retry; they must type the name exactly."
      : TELL;
  return { kind: "refused", reason: taken.answer.reason, why: taken.answer.why, next };
}

/**
 * Waits until the page `id` is answered or gone, the wait's bound (--confirm-wait, and the call's deadline less a
 * margin) or the call's end, with progress; its state then. Woken by the answer. A client that asked for progress gets
 * it at each tick, and the store is read again then too; without, a waiting call costs nothing until the answer, its
 * end or the page's. Not an async function: nothing of its caller's frame is kept while it waits.
 */
export function waitOnPage(
  pages: ConfirmationPages,
  waitMs: number,
  id: string,
  call: ConfirmationAsk["call"],
  where: string,
  now: () => number,
): Promise<PendingConfirmation | undefined> {
  const bound = Math.max(0, Math.min(waitMs, call.deadline - now() - DEADLINE_MARGIN_MS));
  const message = `Waiting for the user to answer the confirmation page ${where}`;
  // Seconds waited, counted from just above the preview's read, so the first value (0 s) is not dropped as a repeat.
  const from = PREVIEW_PROGRESS + 1;
  const total = from + Math.round(bound / 1000);
  const tell = (waited: number) => call.progress(from + waited, total, message).catch(() => {});
  return tell(0).then(() =>
    pages.wait(id, bound, call.signal, call.wantsProgress ? (waited) => tell(Math.round(waited / 1000)) : undefined),
  );
}

/**
 * Opens the page for a call that found none (or joins one a concurrent call of the same binding is opening) and shows
 * it; a refusal when it cannot. Its own function, so a call that then waits holds the pending confirmation, not the
 * page's view it was made from.
 */
async function openPage(flow: PageFlow, req: ConfirmationAsk): Promise<PendingConfirmation | ChannelAnswer> {
  const { binding, now, call } = req;
  // The same call as one that just used the user's yes (e.g. two re-calls racing), or whose page just expired: no new page.
  const settled = await flow.pages.settled(binding.key);
  if (settled === "used") return used(req);
  if (settled === "expired") return EXPIRED;
  const { touched, page } = req.about;
  const sample = req.preview.count !== undefined && touched ? await sampleNames(call.read, touched) : undefined;
  const view = pageViewOf({
    tool: binding.tool,
    tenant: binding.tenant,
    preview: req.preview,
    by: req.by,
    words: page,
    ...(sample ? { sample } : {}),
  });
  let opened;
  try {
    opened = await flow.pages.open({
      binding: binding.key,
      channel: flow.channel,
      data: { view, accept: acceptedNames(req.preview), requestedBy: req.asker, fourEyes: req.fourEyes },
      expiresAt: now() + req.ttlMs,
      owner: call.owner,
    });
  } catch (err) {
    if (err instanceof TooManyPending) return tooMany(err, now(), req.ttlMs);
    throw err;
  }
  const { pending } = opened;
  // Opened by a concurrent call of the same binding: that call shows it; this one only waits.
  if (!opened.created) return pending;
  const failed = await flow.show(opened.url, pending, req);
  if (!failed) return pending;
  // Shown by the client in the call's next round (an input request): the page stays open for it.
  if (failed.kind === "input") return failed;
  await flow.pages.cancel(binding.key, pending.id, {
    reason: "cancelled",
    why: failed.kind === "refused" || failed.kind === "unshown" ? failed.why : "the page could not be shown.",
  });
  return failed;
}

/** The refusal past a cap on open pages: how many, whose, and how to finish them (a re-call of one of them is never refused). */
function tooMany(err: TooManyPending, now: number, ttlMs: number): ChannelAnswer {
  const minutes = (ms: number) => `${Math.max(1, Math.ceil(ms / 60_000))} min`;
  const next = `the first of them expires within ${minutes(err.nextExpiresAt - now)}, every one within ${minutes(ttlMs)}`;
  const whose = {
    session: "this MCP session",
    person: "the signed-in user",
    process: "this server (all sessions together)",
  }[err.scope];
  const flag = err.scope === "process" ? "--max-pending" : "--max-pending-per-session";
  return {
    kind: "refused",
    reason: "too-many-pending",
    why: `${whose} already has ${err.open} confirmation${err.open === 1 ? "" : "s"} open, waiting for an answer on their pages, and ${err.limit} is the most this server allows (${flag}).`,
    next:
      err.scope === "process"
        ? `Tell the user to try again later: ${next}, and each one answered or cancelled frees a place at once. A call with the same arguments as an open confirmation is not refused; it waits on that page.`
        : `Ask the user to answer or cancel the open confirmations on their pages (each one answered or cancelled frees a place at once), or wait: ${next}. A call with the same arguments as an open confirmation is not refused; it waits on that page. Then call again.`,
  };
}

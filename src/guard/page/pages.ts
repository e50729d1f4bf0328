// Confirmation pages as one service over the guard's store (the one record of each): open one per binding, serve it, hear the answer, wait for it, take it.
import { randomBytes } from "node:crypto";
import type { Logger } from "../../core/log.js";
import type { GuardStore, PendingAnswer, PendingConfirmation } from "../store.js";
import type { Actor } from "../actor.js";
import { PENDING_DEFAULTS } from "../../config/options.js";
import { createPageHandler, type PageGate, type PageState } from "./handler.js";
import { countPagesWith } from "../../core/telemetry.js";
import {
  createOpenCount,
  TooManyPending,
  type PendingLimits,
  type PendingOwner,
  type Reservation,
} from "./open-count.js";
import type { PageRequestHandler, PageServing } from "./serving.js";
import type { PageView } from "./view.js";
import { TICK_MS, waitForAnswer } from "./wait.js";

/** 18 random bytes: 144 bits, 24 URL-safe characters. The id is the only key to its page. */
export function newPageId(): string {
  return randomBytes(18).toString("base64url");
}

/** What a page needs to show itself again, kept in the pending confirmation's `data` (so any replica can serve it). */
export interface PageData {
  view: PageView;
  /** Names a typed answer may match (the identity's name and alias, as ISC gave them). */
  accept: string[];
  /** With sign-in: the person whose call this is (only they may answer, unless `fourEyes`). */
  requestedBy?: Actor | undefined;
  /** Only a different person holding the approver scope may answer. */
  fourEyes?: boolean | undefined;
}

export interface OpenPage {
  /** The guard's binding key: tool, tenant, exact arguments, previewed target. */
  binding: string;
  channel: string;
  data: PageData;
  expiresAt: number;
  /** Whose open pages this one counts toward (--max-pending-per-session); none for a call without a session or sign-in. */
  owner?: PendingOwner | undefined;
}

/** How often (by the pages' clock) the caps let go of pages that expired. */
const SWEEP_MS = 10_000;

/** Why a call finds no page for its binding: it expired unanswered (said once), or a confirmed answer was just used. */
export type PageSettled = "expired" | "used" | undefined;

export interface ConfirmationPages {
  /** Why a user's browser cannot reach the pages (then no channel may use them), or undefined. */
  unreachable(): string | undefined;
  /** True when the pages sign people in first (HTTP with OAuth): a different person can then answer, signed in, as --four-eyes needs. */
  readonly signsIn: boolean;
  /**
   * Opens the page for this binding, or finds the one already open for it (one page per binding); `created` says which.
   * Throws TooManyPending when a new page would pass a cap (--max-pending-per-session, --max-pending); joining never does.
   */
  open(input: OpenPage): Promise<{ pending: PendingConfirmation; url: string; created: boolean }>;
  /**
   * Resolves once the confirmation is answered or gone, after `ms`, or when `signal` aborts; with its state then.
   * Woken by the answer (on any replica); reads the store only then, every `tickMs` (calling `onTick` with the ms
   * waited so far, e.g. for progress), and at the end.
   */
  wait(
    id: string,
    ms: number,
    signal?: AbortSignal,
    onTick?: (waitedMs: number) => Promise<void>,
  ): Promise<PendingConfirmation | undefined>;
  /** The live pending confirmation of this binding (open, or answered and not yet taken), on any replica. */
  find(binding: string): Promise<PendingConfirmation | undefined>;
  /**
   * What became of this binding's latest page when none is live: "expired" the first time it is asked after the page
   * expired unanswered (so one re-call says so), "used" when a confirmed answer was taken within the last minute (a
   * duplicate call must not open a new page), else undefined.
   */
  settled(binding: string): Promise<PageSettled>;
  /** Takes the answer for this binding (one call only, on any replica) and lets the page `id` go here. */
  take(binding: string, id: string): Promise<PendingConfirmation | undefined>;
  /** Answers the page `id` as not confirmed (e.g. it could not be shown), takes that answer, and lets the page go. */
  cancel(binding: string, id: string, answer: { reason: "declined" | "cancelled"; why: string }): Promise<void>;
  /** Lets this process's hold on the page `id` go (its place under the caps, the listener), once its answer is used. */
  used(id: string): void;
  /** Called for every answer given on a page served here. */
  onAnswer(listener: (id: string, answer: PendingAnswer) => void): () => void;
  /** For a listener to mount at …/confirm/<id>. */
  handle: PageRequestHandler;
  close(): Promise<void>;
}

export interface ConfirmationPagesOptions {
  store: GuardStore;
  serving: PageServing;
  log: Logger;
  now?: () => number;
  /** Sign-in in front of every page (HTTP with OAuth). */
  gate?: PageGate | undefined;
  /** Caps on the pages open at once. @default PENDING_DEFAULTS (20 per session or person, 1000 per process) */
  limits?: PendingLimits | undefined;
  /** How often a waiting call reports progress and reads the store again. @default 5000 */
  tickMs?: number | undefined;
}

/** A call identical to one that just used a confirmed answer is a duplicate for this long. */
const DUPLICATE_MS = 60_000;

export function createConfirmationPages(opts: ConfirmationPagesOptions): ConfirmationPages {
  const now = opts.now ?? Date.now;
  const { store } = opts;
  const tickMs = opts.tickMs ?? TICK_MS;
  const listeners = new Set<(id: string, answer: PendingAnswer) => void>();
  const count = createOpenCount(
    opts.limits ?? { perOwner: PENDING_DEFAULTS.perSession, perProcess: PENDING_DEFAULTS.perProcess },
  );
  // The open-pages gauge (telemetry on only reads it).
  const uncount = countPagesWith(() => count.size);
  /** Opens in progress by binding, so a concurrent call of the same binding joins instead of counting as a new one. */
  const opening = new Map<string, Promise<{ pending: PendingConfirmation; url: string; created: boolean }>>();
  let sweptAt = Number.NEGATIVE_INFINITY;

  const prune = () => {
    const t = now();
    if (t - sweptAt < SWEEP_MS && t >= sweptAt) return;
    sweptAt = t;
    count.expire(t, true);
  };
  /** The page `id` is done here: it no longer counts toward the caps, nor keeps the listener open. */
  const release = (id: string) => {
    count.settle(id);
    opts.serving.release(id);
  };
  const parse = (p: PendingConfirmation): PageData => JSON.parse(p.data) as PageData;

  async function lookup(id: string): Promise<PageState> {
    prune();
    // The store remembers a page past its answer and its expiry, on every replica: a late tab reads what happened.
    const p = await store.recallPending({ id }, now());
    if (!p) return { kind: "unknown" };
    const data = parse(p);
    if (p.answer) return { kind: "answered", confirmed: p.answer.confirmed, view: data.view };
    if (p.expiresAt <= now()) return { kind: "expired", view: data.view };
    return {
      kind: "open",
      view: data.view,
      accept: data.accept,
      expiresAt: p.expiresAt,
      audience: { requestedBy: data.requestedBy, fourEyes: data.fourEyes },
    };
  }

  async function answer(id: string, a: PendingAnswer): Promise<boolean> {
    const changed = await store.answerPending(id, a, now());
    if (!changed) return false;
    count.settle(id);
    for (const l of listeners) l(id, a);
    return true;
  }

  const handle = createPageHandler({
    origin: opts.serving.origin,
    log: opts.log,
    gate: opts.gate,
    lookup,
    answer,
    // Counted in the store, with the confirmation: wrong names typed through any replica add up to one limit.
    wrongName: (id, expiresAt) => store.countWrongName(id, expiresAt, now()),
  });

  async function openNew(input: OpenPage): Promise<{ pending: PendingConfirmation; url: string; created: boolean }> {
    let place: Reservation;
    try {
      place = count.reserve(input.owner, now());
    } catch (err) {
      // Full: but a page for this binding opened meanwhile (e.g. on another replica) is joined, never refused.
      const open =
        err instanceof TooManyPending ? await store.findPending({ binding: input.binding }, now()) : undefined;
      if (!open) throw err;
      const base = await opts.serving.base();
      opts.serving.hold(open.id, open.expiresAt);
      return { pending: open, url: `${base}confirm/${open.id}`, created: false };
    }
    try {
      // Listener first: the page must answer before its URL goes anywhere.
      const base = await opts.serving.base();
      const data = JSON.stringify(input.data);
      // V8 may build that string as a tree of pieces, kept as long as the page is; reading it as a number flattens it.
      Number(data);
      const mine: PendingConfirmation = {
        id: newPageId(),
        binding: input.binding,
        channel: input.channel,
        expiresAt: input.expiresAt,
        data,
      };
      const pending = await store.openPending(mine, now());
      const created = pending.id === mine.id;
      if (created) {
        prune();
        // Answered on any replica, it stops counting; expired, `count` lets it go by itself.
        const id = pending.id;
        const stop = store.watchPending(id, () => {
          store.findPending({ id }, now()).then(
            (p) => (!p || p.answer ? count.settle(id) : undefined),
            () => {},
          );
        });
        place.opened(id, pending.expiresAt, stop);
      } else {
        place.cancel();
      }
      opts.serving.hold(pending.id, pending.expiresAt);
      return { pending, url: `${base}confirm/${pending.id}`, created };
    } catch (err) {
      place.cancel();
      throw err;
    }
  }

  return {
    unreachable: () => opts.serving.unreachable(),
    signsIn: opts.gate !== undefined,
    async open(input) {
      const already = opening.get(input.binding);
      if (already) return { ...(await already), created: false };
      const started = openNew(input);
      opening.set(input.binding, started);
      try {
        return await started;
      } finally {
        if (opening.get(input.binding) === started) opening.delete(input.binding);
      }
    },
    wait: (id, ms, signal, onTick) => waitForAnswer({ store, now, tickMs }, id, ms, signal, onTick),
    find: (binding) => store.findPending({ binding }, now()),
    async settled(binding) {
      prune();
      const t = now();
      const last = await store.recallPending({ binding }, t);
      if (!last) return undefined;
      if (last.answer?.confirmed && last.taken !== undefined && t - last.taken < DUPLICATE_MS) return "used";
      if (last.answer || last.expiresAt > t || !(await store.tellExpired(last.id, t))) return undefined;
      release(last.id);
      return "expired";
    },
    async take(binding, id) {
      try {
        return await store.takeAnswered(binding, now());
      } finally {
        release(id);
      }
    },
    async cancel(binding, id, answer) {
      try {
        await store.answerPending(id, { confirmed: false, ...answer }, now());
        await store.takeAnswered(binding, now());
      } finally {
        release(id);
      }
    },
    used: (id) => release(id),
    onAnswer(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    handle,
    close: () => {
      uncount();
      return opts.serving.close();
    },
  };
}

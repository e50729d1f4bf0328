// Confirmation pages as one service over the guard's store: open one per binding, serve it, hear the answer, wait for it.
import { nodeCrypto } from "../../core/builtins.js";
import type { Logger } from "../../core/log.js";
import type { GuardStore, PendingAnswer, PendingConfirmation } from "../store.js";
import type { Actor } from "../audit.js";
import { createPageHandler, type PageGate, type PageState } from "./handler.js";
import type { PageRequestHandler, PageServing } from "./serving.js";
import type { PageView } from "./view.js";

/** 18 random bytes: 144 bits, 24 URL-safe characters. The id is the only key to its page. */
export function newPageId(): string {
  return nodeCrypto().randomBytes(18).toString("base64url");
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
}

/** How often a wait looks at the store, for answers given on another replica's listener. */
const POLL_MS = 250;
/** Ids this process opened are remembered this long past expiry, so a late tab reads "expired" or "already answered". */
const RECENT_MS = 10 * 60_000;

export interface ConfirmationPages {
  /** Why a user's browser cannot reach the pages (then no channel may use them), or undefined. */
  unreachable(): string | undefined;
  /** True when the pages sign people in first (HTTP with OAuth): a different person can then answer, signed in, as --four-eyes needs. */
  readonly signsIn: boolean;
  /** Opens the page for this binding, or finds the one already open for it (one page per binding); `created` says which. */
  open(input: OpenPage): Promise<{ pending: PendingConfirmation; url: string; created: boolean }>;
  /** Resolves once the confirmation is answered or gone, after `ms`, or when `signal` aborts; with its state then. */
  wait(id: string, ms: number, signal?: AbortSignal): Promise<PendingConfirmation | undefined>;
  /** True once for a binding whose page this process opened and that expired unanswered (so the re-call says so). */
  takeExpired(binding: string): boolean;
  /** Remembers that an answer is being used, so a late tab reads "already answered" and a duplicate call opens no new page. */
  used(id: string, confirmed: boolean): void;
  /** True when a confirmed answer for this binding was used within the last minute (a duplicate call must not open a new page). */
  justUsed(binding: string): boolean;
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
}

interface Recent {
  binding: string;
  view: PageView;
  expiresAt: number;
  answered?: boolean;
  reported?: boolean;
  usedAt?: number;
}

/** A call identical to one that just used a confirmed answer is a duplicate for this long. */
const DUPLICATE_MS = 60_000;

export function createConfirmationPages(opts: ConfirmationPagesOptions): ConfirmationPages {
  const now = opts.now ?? Date.now;
  const { store } = opts;
  const listeners = new Set<(id: string, answer: PendingAnswer) => void>();
  const wakers = new Map<string, Set<() => void>>();
  const recent = new Map<string, Recent>();
  const wrong = new Map<string, number>();

  const prune = () => {
    const t = now();
    for (const [id, r] of recent) {
      if (t > r.expiresAt + RECENT_MS) {
        recent.delete(id);
        wrong.delete(id);
      }
    }
  };
  const parse = (p: PendingConfirmation): PageData => JSON.parse(p.data) as PageData;

  async function lookup(id: string): Promise<PageState> {
    prune();
    const p = await store.findPending({ id }, now());
    if (p) {
      const data = parse(p);
      if (p.answer) return { kind: "answered", confirmed: p.answer.confirmed, view: data.view };
      return { kind: "open", view: data.view, accept: data.accept, expiresAt: p.expiresAt, audience: { requestedBy: data.requestedBy, fourEyes: data.fourEyes } };
    }
    const r = recent.get(id);
    if (r?.answered !== undefined) return { kind: "answered", confirmed: r.answered, view: r.view };
    if (r && now() > r.expiresAt) return { kind: "expired", view: r.view };
    return { kind: "unknown" };
  }

  async function answer(id: string, a: PendingAnswer): Promise<boolean> {
    const changed = await store.answerPending(id, a, now());
    if (!changed) return false;
    const r = recent.get(id);
    if (r) r.answered = a.confirmed;
    for (const l of listeners) l(id, a);
    for (const w of wakers.get(id) ?? []) w();
    return true;
  }

  const handle = createPageHandler({
    origin: opts.serving.origin,
    log: opts.log,
    gate: opts.gate,
    lookup,
    answer,
    wrongName: (id) => {
      const n = (wrong.get(id) ?? 0) + 1;
      wrong.set(id, n);
      return n;
    },
  });

  return {
    unreachable: () => opts.serving.unreachable(),
    signsIn: opts.gate !== undefined,
    async open(input) {
      // Listener first: the page must answer before its URL goes anywhere.
      const base = await opts.serving.base();
      const mine: PendingConfirmation = { id: newPageId(), binding: input.binding, channel: input.channel, expiresAt: input.expiresAt, data: JSON.stringify(input.data) };
      const pending = await store.openPending(mine, now());
      const created = pending.id === mine.id;
      if (created) {
        prune();
        recent.set(pending.id, { binding: input.binding, view: input.data.view, expiresAt: pending.expiresAt });
      }
      opts.serving.hold(pending.id, pending.expiresAt);
      return { pending, url: `${base}confirm/${pending.id}`, created };
    },
    async wait(id, ms, signal) {
      const until = now() + ms;
      for (;;) {
        const p = await store.findPending({ id }, now());
        if (!p || p.answer || signal?.aborted) return p;
        const left = Math.min(until, p.expiresAt + 1) - now();
        if (left <= 0) return p;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            wakers.get(id)?.delete(done);
            resolve();
          };
          const timer = setTimeout(done, Math.min(POLL_MS, left));
          signal?.addEventListener("abort", done, { once: true });
          if (!wakers.has(id)) wakers.set(id, new Set());
          wakers.get(id)!.add(done);
        });
        if (wakers.get(id)?.size === 0) wakers.delete(id);
      }
    },
    takeExpired(binding) {
      prune();
      const t = now();
      let expired = false;
      for (const [id, r] of recent) {
        if (r.binding !== binding || r.answered !== undefined || r.reported || t <= r.expiresAt) continue;
        r.reported = true;
        expired = true;
        opts.serving.release(id);
      }
      return expired;
    },
    used(id, confirmed) {
      const r = recent.get(id);
      if (r) {
        r.answered = confirmed;
        r.usedAt = now();
      }
      opts.serving.release(id);
    },
    justUsed(binding) {
      const t = now();
      for (const r of recent.values()) if (r.binding === binding && r.answered === true && r.usedAt !== undefined && t - r.usedAt < DUPLICATE_MS) return true;
      return false;
    },
    onAnswer(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    handle,
    close: () => opts.serving.close(),
  };
}

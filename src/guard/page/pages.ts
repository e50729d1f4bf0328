// Confirmation pages as one service: create a pending confirmation and its URL, find it again, wait for the human, spend it.
import { createHash } from "node:crypto";
import type { Logger } from "../../core/log.js";
import { canonicalJson } from "../codes.js";
import type { Actor } from "../audit.js";
import { createPageHandler, type PageGate } from "./handler.js";
import { newPageId, type PendingConfirmation, type PendingStore } from "./pending.js";
import type { PageRequestHandler, PageServing } from "./serving.js";
import type { PageView } from "./view.js";

export interface PageBinding {
  tool: string;
  tenant: string;
  /** Validated arguments. */
  args: Record<string, unknown>;
  /** The previewed target's fingerprint: a changed target is a new confirmation. */
  target: string;
}

export interface NewConfirmation {
  binding: PageBinding;
  view: PageView;
  /** Names a typed answer may match. */
  accept: string[];
  ttlMs: number;
  /** With sign-in: the person whose call this is (only they may answer, unless `fourEyes`). */
  requestedBy?: Actor | undefined;
  /** Only a different person holding the approver scope may answer. */
  fourEyes?: boolean;
}

export interface ConfirmationPages {
  /** A new pending confirmation, with the URL of its page (the listener starts if it must). */
  create(input: NewConfirmation): Promise<{ record: PendingConfirmation; url: string }>;
  /** The unspent confirmation for this exact tool, tenant, arguments and target. */
  find(binding: PageBinding): Promise<PendingConfirmation | undefined>;
  url(id: string): Promise<string>;
  wait(id: string, ms: number, signal?: AbortSignal): Promise<PendingConfirmation | undefined>;
  /** Uses up an answer (true exactly once) and lets a loopback listener close when nothing else is open. */
  spend(id: string): Promise<boolean>;
  /** Called for every answer that changed a confirmation; returns the unsubscribe function. */
  onAnswer(listener: (record: PendingConfirmation) => void): () => void;
  /** For the HTTP transport to mount at …/confirm/<id>. */
  handle: PageRequestHandler;
  close(): Promise<void>;
}

export interface ConfirmationPagesOptions {
  store: PendingStore;
  serving: PageServing;
  log: Logger;
  now?: () => number;
  /** Sign-in in front of every page (HTTP with OAuth). */
  gate?: PageGate;
}

export function bindingKey(b: PageBinding): string {
  return createHash("sha256").update(canonicalJson([b.tool, b.tenant, b.args, b.target])).digest("base64url");
}

export function createConfirmationPages(opts: ConfirmationPagesOptions): ConfirmationPages {
  const now = opts.now ?? Date.now;
  const listeners = new Set<(record: PendingConfirmation) => void>();
  const handle = createPageHandler({
    store: opts.store,
    origin: opts.serving.origin,
    log: opts.log,
    now,
    ...(opts.gate ? { gate: opts.gate } : {}),
    onAnswer: (record) => {
      for (const l of listeners) l(record);
    },
  });
  const url = async (id: string) => `${await opts.serving.base()}confirm/${id}`;

  return {
    async create(input) {
      const t = now();
      const record: PendingConfirmation = {
        id: newPageId(),
        binding: bindingKey(input.binding),
        view: input.view,
        accept: input.accept,
        createdAt: t,
        expiresAt: t + input.ttlMs,
        state: "pending",
        wrongNames: 0,
        ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
        ...(input.fourEyes ? { fourEyes: true } : {}),
      };
      // Listener first: the page must answer before its URL goes anywhere.
      const pageUrl = await url(record.id);
      await opts.store.add(record);
      opts.serving.hold(record.id, record.expiresAt);
      return { record, url: pageUrl };
    },
    find: (binding) => opts.store.byBinding(bindingKey(binding)),
    url,
    wait: (id, ms, signal) => opts.store.wait(id, ms, signal),
    async spend(id) {
      const first = await opts.store.spend(id);
      opts.serving.release(id);
      return first;
    },
    onAnswer(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    handle,
    close: () => opts.serving.close(),
  };
}

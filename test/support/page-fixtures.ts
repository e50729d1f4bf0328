// Confirmation pages on a real loopback listener with a memory store, and raw HTTP requests that can set any header.
import { request as httpRequest } from "node:http";
import { createLogger } from "../../src/core/log.js";
import { createMemoryStore, type GuardStore } from "../../src/guard/store.js";
import { createConfirmationPages, type ConfirmationPages } from "../../src/guard/page/pages.js";
import { loopbackServing } from "../../src/guard/page/serving.js";
import type { PageView } from "../../src/guard/page/view.js";

export const DELETE_VIEW: PageView = {
  title: "Delete identity",
  action: "Delete this identity from ISC. This cannot be undone.",
  destructive: true,
  confirmBy: "name",
  button: "Delete identity",
  tool: "delete_identity",
  tenant: "sandbox",
  identity: {
    id: "2c9180835d2e5168015d32f890ca1581",
    name: "Adam.Kennedy",
    alias: "akennedy",
    email: "adam.kennedy@example.com",
    status: "Active",
    lifecycleState: "inactive",
  },
  owns: [],
  next: "delete the identity",
};

export interface PageFixture {
  pages: ConfirmationPages;
  store: GuardStore;
  serving: ReturnType<typeof loopbackServing>;
  /** A new pending confirmation; its URL. */
  open(
    view?: PageView,
    opts?: { ttlMs?: number; accept?: string[]; binding?: string },
  ): Promise<{ id: string; url: string }>;
  /** What the store holds for this page: "pending", "confirmed", "cancelled", or "gone" (expired or taken). */
  state(id: string): Promise<string>;
  logs(): string;
  close(): Promise<void>;
}

export function pageFixture(options: { now?: () => number; graceMs?: number } = {}): PageFixture {
  let logged = "";
  const log = createLogger("debug", (l) => (logged += l));
  const store = createMemoryStore();
  const now = options.now ?? Date.now;
  let pages: ConfirmationPages | undefined;
  const serving = loopbackServing(() => pages!.handle, {
    log,
    graceMs: options.graceMs ?? 200,
    ...(options.now ? { now: options.now } : {}),
  });
  pages = createConfirmationPages({ store, serving, log, ...(options.now ? { now: options.now } : {}) });
  let n = 0;
  return {
    pages,
    store,
    serving,
    async open(view = DELETE_VIEW, o = {}) {
      const accept = o.accept ?? [view.identity?.name, view.identity?.alias].filter((v): v is string => Boolean(v));
      const { pending, url } = await pages!.open({
        binding: o.binding ?? `binding-${n++}`,
        channel: "browser",
        data: { view, accept },
        expiresAt: now() + (o.ttlMs ?? 60_000),
      });
      return { id: pending.id, url };
    },
    async state(id) {
      const p = await store.findPending({ id }, now());
      return !p ? "gone" : !p.answer ? "pending" : p.answer.confirmed ? "confirmed" : "cancelled";
    },
    logs: () => logged,
    close: () => pages!.close(),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly these headers (fetch would not let a test set Host or drop Origin). */
export function raw(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: opts.method ?? "GET",
        headers: opts.headers ?? {},
        setHost: !opts.headers?.host && !opts.headers?.Host,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** A form POST as the page itself would send it. */
export function answer(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const origin = new URL(url).origin;
  return raw(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

// Pending confirmations on Redis: a human's answer given to one replica reaches the replica whose call waits for it.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { StoreUnavailable } from "../../core/errors.js";
import type { RedisLink } from "../../core/redis.js";
import { isExpired, RETAIN_MS, type PendingConfirmation, type PendingStore } from "./pending.js";

const PREFIX = "isc-identities-mcp:pending";
const CHANNEL = `${PREFIX}:answered`;
/** A missed notification (a reconnect in between) costs at most this much delay. */
const POLL_MS = 1_000;

/**
 * The record is written once; what changes later sits in keys of its own so each change is one atomic
 * command: the answer (SET NX: the first wins), wrong names (INCR), and spending (SET NX: once).
 */
const keys = (id: string) => ({ record: `${PREFIX}:${id}`, answer: `${PREFIX}:${id}:answer`, wrong: `${PREFIX}:${id}:wrong`, spent: `${PREFIX}:${id}:spent` });
const bindingKey = (binding: string) => `${PREFIX}:binding:${createHash("sha256").update(binding).digest("base64url")}`;

export function createRedisPendingStore(link: RedisLink, now: () => number = Date.now): PendingStore & { close(): Promise<void> } {
  const redis = link.client;
  const waiters = new Map<string, Set<() => void>>();
  let subscriber: Redis | undefined;
  const subscribe = () => {
    if (subscriber) return;
    // A subscribed connection can do nothing else: a second one, opened when the first wait needs it.
    subscriber = redis.duplicate({ enableOfflineQueue: true, lazyConnect: false });
    subscriber.on("error", () => {});
    subscriber.on("message", (_channel: string, id: string) => {
      for (const wake of waiters.get(id) ?? []) wake();
    });
    void subscriber.subscribe(CHANNEL).catch(() => {});
  };
  const run = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      throw new StoreUnavailable(`the shared store (Redis at ${link.shownUrl}) could not be used for ${what} (${err instanceof Error ? err.message : String(err)})`);
    }
  };
  const life = (r: PendingConfirmation) => Math.max(1, r.expiresAt + RETAIN_MS - now());

  const read = async (id: string): Promise<PendingConfirmation | undefined> => {
    const k = keys(id);
    const [raw, answer, wrong, spent] = await redis.mget(k.record, k.answer, k.wrong, k.spent);
    if (!raw) return undefined;
    const r = JSON.parse(raw) as PendingConfirmation;
    if (answer) Object.assign(r, JSON.parse(answer) as Pick<PendingConfirmation, "state" | "answeredAt" | "answeredBy">);
    r.wrongNames = Number(wrong ?? 0);
    if (spent) r.spent = true;
    return r;
  };

  return {
    add: (record) =>
      run("storing a confirmation", async () => {
        const { answeredAt: _a, answeredBy: _b, spent: _s, ...fixed } = record;
        await redis.multi().set(keys(record.id).record, JSON.stringify({ ...fixed, state: "pending", wrongNames: 0 }), "PX", life(record)).set(bindingKey(record.binding), record.id, "PX", life(record)).exec();
      }),
    get: (id) => run("reading a confirmation", () => read(id)),
    byBinding: (binding) =>
      run("finding a confirmation", async () => {
        const id = await redis.get(bindingKey(binding));
        const r = id ? await read(id) : undefined;
        return r && !r.spent ? r : undefined;
      }),
    answer: (id, state, at, by) =>
      run("recording the answer", async () => {
        const r = await read(id);
        if (!r || r.state !== "pending" || isExpired(r, at)) return { changed: false, record: r };
        // Whichever replica the human's page reached, the first answer wins; later ones change nothing.
        const answered = { state, answeredAt: at, ...(by ? { answeredBy: by } : {}) };
        const first = (await redis.set(keys(id).answer, JSON.stringify(answered), "PX", life(r), "NX")) === "OK";
        if (!first) return { changed: false, record: await read(id) };
        await redis.publish(CHANNEL, id).catch(() => 0);
        return { changed: true, record: { ...r, ...answered } };
      }),
    wrongName: (id) =>
      run("counting a wrong name", async () => {
        const r = await read(id);
        if (!r) return 0;
        const [[, count] = []] = (await redis.multi().incr(keys(id).wrong).pexpire(keys(id).wrong, life(r)).exec()) ?? [];
        return Number(count);
      }),
    spend: (id) =>
      run("using the answer", async () => {
        const r = await read(id);
        if (!r) return false;
        return (await redis.set(keys(id).spent, "1", "PX", life(r), "NX")) === "OK";
      }),
    async wait(id, ms, signal) {
      subscribe();
      const first = await run("reading a confirmation", () => read(id));
      if (!first || first.state !== "pending" || signal?.aborted) return first;
      const until = now() + Math.max(0, Math.min(ms, first.expiresAt - now() + 1));
      for (;;) {
        const left = until - now();
        if (left <= 0 || signal?.aborted) break;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", done);
            waiters.get(id)?.delete(done);
            if (waiters.get(id)?.size === 0) waiters.delete(id);
            resolve();
          };
          const timer = setTimeout(done, Math.min(left, POLL_MS));
          signal?.addEventListener("abort", done, { once: true });
          if (!waiters.has(id)) waiters.set(id, new Set());
          waiters.get(id)!.add(done);
        });
        const r = await run("reading a confirmation", () => read(id));
        if (!r || r.state !== "pending") return r;
      }
      return run("reading a confirmation", () => read(id));
    },
    async close() {
      for (const set of waiters.values()) for (const wake of set) wake();
      await subscriber?.quit().catch(() => subscriber?.disconnect());
      subscriber = undefined;
    },
  };
}

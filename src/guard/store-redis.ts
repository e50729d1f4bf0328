// The guard's store on Redis, so every replica shares spent codes, cooldowns, mass-action windows and pending confirmations.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { RedisLink } from "../isc/redis.js";
import { StoreUnavailable } from "../core/errors.js";
import {
  createWatchers,
  PENDING_KEPT_MS,
  type GuardStore,
  type PendingAnswer,
  type PendingConfirmation,
} from "./store.js";

const PREFIX = "isc-identities-mcp:guard";
/** Every first answer is published here (the page id), so a call waiting on another replica wakes at once. */
const ANSWERED = `${PREFIX}:answered`;
/** Keys carry a digest, never the code or the arguments themselves: a Redis reader learns nothing usable. */
const key = (kind: string, value: string) =>
  `${PREFIX}:${kind}:${createHash("sha256").update(value).digest("base64url")}`;
/**
 * A code's issue time is the issuing replica's clock, `dataSince` the redeeming replica's. A code issued just before a
 * restart by a replica whose clock runs ahead would look issued after it, and its spending (lost with the restart) would
 * be open again; so codes issued within this margin after `dataSince` are refused too. It is the clock skew tolerated
 * between replicas (NTP keeps them well within it); the price is that codes issued in the first seconds after Redis
 * (re)starts are refused, and the user asks for a new one.
 */
export const CLOCK_SKEW_MARGIN_MS = 5_000;
/** Redis wants a positive whole number of milliseconds. */
const ttl = (ms: number) => Math.max(1, Math.ceil(ms));

export function createRedisStore(link: RedisLink): GuardStore {
  const redis = link.client;
  /** Every failure (down, slow, refused) is one error the guard turns into "nothing was changed; retry". */
  const run = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (err) {
      throw new StoreUnavailable(
        `the shared store (Redis at ${link.shownUrl}) could not be used for ${what} (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  };
  // A pending confirmation is its record (`pending`, kept PENDING_KEPT_MS past expiry), its `answer` and when it was
  // `taken` (each first-writer-wins, SET NX), `told` (its expiry reported once), `wrong` (its wrong typed names, INCR,
  // until it expires); `binding` points at the live one (until it expires or its answer is taken: NX makes it one per
  // binding), `last` at the latest (kept as long).
  const readPending = async (id: string): Promise<PendingConfirmation | undefined> => {
    const [raw, answer, taken] = await redis.mget(key("pending", id), key("answer", id), key("taken", id));
    if (!raw) return undefined;
    const p = JSON.parse(raw) as PendingConfirmation;
    if (answer) p.answer = JSON.parse(answer) as PendingAnswer;
    if (taken) p.taken = Number(taken);
    return p;
  };
  const isLive = (p: PendingConfirmation | undefined, now: number) =>
    p !== undefined && p.expiresAt > now && p.taken === undefined;
  const idFor = (binding: string) => redis.get(key("binding", binding));
  /** How long a record is kept from `now`. */
  const keep = (p: PendingConfirmation, now: number) => ttl(p.expiresAt - now + PENDING_KEPT_MS);
  /** Lets go of the binding's pointer if it still names `id` (one atomic step: a newer page's pointer stays). */
  const unbind = (binding: string, id: string) =>
    redis.eval(
      'if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end',
      1,
      key("binding", binding),
      id,
    );

  // Waiting calls are woken by the answer: one subscriber connection, opened by the first watch (so a process that
  // never waits on a page never opens it), hears every replica's answers.
  const watchers = createWatchers();
  let subscriber: Redis | undefined;
  const listen = () => {
    if (subscriber) return;
    const sub = (subscriber = redis.duplicate({ lazyConnect: true, autoResubscribe: false }));
    sub.on("message", (_channel: string, id: string) => watchers.wake(id));
    // The main connection reports outages; this one only follows it.
    sub.on("error", () => {});
    // An answer published before this connection listened (or while it was down) was not heard: once it listens
    // (again), every waiting call reads the store once.
    sub.on("ready", () => {
      sub.subscribe(ANSWERED).then(
        () => watchers.wakeAll(),
        () => {},
      );
    });
    redis.once("end", () => sub.disconnect());
    sub.connect().catch(() => {});
  };

  return {
    // SET NX is the one atomic step: of N concurrent redemptions on any replicas exactly one gets "OK".
    spend: (code, issued, ttlMs) =>
      run("a code redemption", async () => {
        // Right after a (re)connect, act on what the server said, not on the guess made before it answered.
        await link.learned();
        if (link.dataSince === undefined) throw new Error("not reached since this server started");
        // A key with an expiry may be evicted under any policy but noeviction: the record of a spend could vanish.
        const policy = link.maxmemoryPolicy;
        if (policy !== "noeviction") return { untracked: evictionCause(policy) };
        // A Redis that restarted (or came back) after the code was issued may have lost its spending: unknown is not "unspent".
        if (issued.at < link.dataSince + CLOCK_SKEW_MARGIN_MS) return "untracked";
        return (await redis.set(key("code", code), "1", "PX", ttl(ttlMs), "NX")) === "OK" ? "spent" : "used";
      }),

    startCooldown: (k, ms) =>
      run("a cooldown check", async () => {
        for (let attempt = 0; attempt < 2; attempt++) {
          if ((await redis.set(key("cooldown", k), "1", "PX", ttl(ms), "NX")) === "OK") return 0;
          const left = await redis.pttl(key("cooldown", k));
          // -2: it expired between the two commands; claim again.
          if (left > 0) return left;
        }
        return 0;
      }),

    countInWindow: (k, ids, windowMs, now) =>
      run("a mass-action window count", async () => {
        const zkey = key("window", k);
        const tx = redis.multi().zremrangebyscore(zkey, "-inf", now);
        // The score is when the id leaves the window; naming it again moves that later, as in memory.
        if (ids.length > 0) tx.zadd(zkey, ...ids.flatMap((id) => [now + windowMs, id]));
        const replies = await tx.zcard(zkey).pexpire(zkey, ttl(windowMs)).exec();
        const card = replies?.[ids.length > 0 ? 2 : 1];
        if (!replies || !card || card[0]) throw card?.[0] ?? new Error("transaction aborted");
        return Number(card[1]);
      }),

    openPending: (p, now) =>
      run("opening a confirmation", async () => {
        const life = ttl(p.expiresAt - now);
        for (let attempt = 0; attempt < 3; attempt++) {
          await redis.set(key("pending", p.id), JSON.stringify({ ...p, answer: undefined }), "PX", keep(p, now));
          if ((await redis.set(key("binding", p.binding), p.id, "PX", life, "NX")) === "OK") {
            await redis.set(key("last", p.binding), p.id, "PX", keep(p, now));
            return { ...p };
          }
          // One page per binding: another call (maybe on another replica) opened it first.
          await redis.del(key("pending", p.id));
          const id = await idFor(p.binding);
          const open = id ? await readPending(id) : undefined;
          if (isLive(open, now)) return open!;
          // Its answer was just taken (or it just expired): its pointer goes, and this one opens.
          if (id) await unbind(p.binding, id);
        }
        throw new Error("the confirmation kept changing while it was opened");
      }),

    findPending: (by, now) =>
      run("a confirmation lookup", async () => {
        const id = "id" in by ? by.id : await idFor(by.binding);
        const p = id ? await readPending(id) : undefined;
        return isLive(p, now) ? p : undefined;
      }),

    recallPending: (by) =>
      run("a confirmation lookup", async () => {
        const id = "id" in by ? by.id : await redis.get(key("last", by.binding));
        return id ? readPending(id) : undefined;
      }),

    answerPending: (id, answer, now) =>
      run("recording an answer", async () => {
        const p = await readPending(id);
        if (!isLive(p, now) || p!.answer) return false;
        // First answer wins, whichever replica the human's page reached.
        const first = (await redis.set(key("answer", id), JSON.stringify(answer), "PX", keep(p!, now), "NX")) === "OK";
        if (first) {
          watchers.wake(id);
          await redis.publish(ANSWERED, id);
        }
        return first;
      }),

    takeAnswered: (binding, now) =>
      run("taking an answer", async () => {
        const id = await idFor(binding);
        const p = id ? await readPending(id) : undefined;
        if (!isLive(p, now) || !p!.answer) return undefined;
        // SET NX hands the answer to exactly one caller, on any replica; the record stays for late pages.
        if ((await redis.set(key("taken", id!), String(now), "PX", keep(p!, now), "NX")) !== "OK") return undefined;
        await unbind(binding, id!);
        return { ...p!, taken: now };
      }),

    tellExpired: (id, now) =>
      run("a confirmation lookup", async () => {
        const p = await readPending(id);
        if (!p || p.answer || p.expiresAt > now) return false;
        return (await redis.set(key("told", id), "1", "PX", keep(p, now), "NX")) === "OK";
      }),

    countWrongName: (id, expiresAt, now) =>
      run("counting a wrong name", async () => {
        // INCR is the one atomic step, so wrong names typed through different replicas add up; the count goes with the page.
        const k = key("wrong", id);
        const replies = await redis
          .multi()
          .incr(k)
          .pexpire(k, ttl(expiresAt - now))
          .exec();
        const count = replies?.[0];
        if (!replies || !count || count[0]) throw count?.[0] ?? new Error("transaction aborted");
        return Number(count[1]);
      }),

    watchPending(id, wake) {
      listen();
      return watchers.watch(id, wake);
    },
  };
}

/** Why no code can be tracked on this Redis, and who fixes it how; quoted in the refusal. */
function evictionCause(policy: string | undefined): string {
  const may =
    policy === undefined
      ? "this server's Redis would not say its maxmemory-policy, so it may evict keys"
      : `this server's Redis may evict keys (maxmemory-policy ${policy})`;
  return `${may}, so a spent code could be forgotten and act twice; whoever runs the server should set maxmemory-policy noeviction`;
}

// The replay store behind SSE resumption: bounded by count, size and age across sessions, each session replaying only its own.
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { createEventLog } from "../../src/transports/http/event-store.js";

const msg = (id: number): JSONRPCMessage => ({ jsonrpc: "2.0", id, result: { n: id } });

async function replay(store: ReturnType<ReturnType<typeof createEventLog>["forSession"]>, from: string) {
  const sent: Array<[string, JSONRPCMessage]> = [];
  const stream = await store.replayEventsAfter(from, { send: async (id, m) => void sent.push([id, m]) });
  return { stream, sent: sent.map(([, m]) => (m as { id: number }).id) };
}

describe("createEventLog", () => {
  it("replays what came after a cursor on the same stream, without the priming event", async () => {
    const session = createEventLog().forSession();
    const priming = await session.storeEvent("s1", {} as JSONRPCMessage);
    await session.storeEvent("s2", msg(9));
    await session.storeEvent("s1", msg(1));
    await session.storeEvent("s1", msg(2));
    expect(await replay(session, priming)).toEqual({ stream: "s1", sent: [1, 2] });
  });

  it("forgets events older than maxAgeMs", async () => {
    let now = 0;
    const log = createEventLog({ maxAgeMs: 60_000 }, () => now);
    const session = log.forSession();
    const old = await session.storeEvent("s", msg(1));
    now = 30_000;
    await session.storeEvent("s", msg(2));
    now = 60_000;
    expect(await session.getStreamIdForEventId(old)).toBeUndefined();
    expect(log.size).toBe(1);
    await expect(replay(session, old)).rejects.toThrow(/no longer/);
  });

  it("a session over its own share gives up its oldest events, not another session's", async () => {
    const log = createEventLog({ maxEvents: 100, maxEventsPerSession: 3 });
    const quiet = log.forSession();
    const busy = log.forSession();
    const awaited = await quiet.storeEvent("q", msg(100));
    const first = await busy.storeEvent("b", msg(1));
    for (let i = 2; i <= 10; i++) await busy.storeEvent("b", msg(i));
    expect(log.size).toBe(4);
    expect(await quiet.getStreamIdForEventId(awaited)).toBe("q");
    expect(await busy.getStreamIdForEventId(first)).toBeUndefined();
    const kept = await busy.storeEvent("b", msg(11));
    expect(await busy.getStreamIdForEventId(kept)).toBe("b");
    expect(log.size).toBe(4);
  });

  it("keeps at most maxEvents and maxBytes over all sessions, oldest out first, the newest always kept", async () => {
    const log = createEventLog({ maxEvents: 3, maxBytes: 1_000 });
    const a = log.forSession();
    const b = log.forSession();
    const first = await a.storeEvent("s", msg(1));
    for (const n of [2, 3, 4]) await b.storeEvent("t", msg(n));
    expect(log.size).toBe(3);
    expect(await a.getStreamIdForEventId(first)).toBeUndefined();
    await a.storeEvent("s", { jsonrpc: "2.0", id: 5, result: { big: "x".repeat(2_000) } });
    expect(log.size).toBe(1);
    expect(log.bytes).toBeGreaterThan(1_000);
  });

  it("lets no session see another's events, and drops a session's events when it ends", async () => {
    const log = createEventLog();
    const a = log.forSession();
    const b = log.forSession();
    const id = await a.storeEvent("s", msg(1));
    await b.storeEvent("s", msg(2));
    expect(await b.getStreamIdForEventId(id)).toBeUndefined();
    await expect(replay(b, id)).rejects.toThrow();
    a.drop();
    expect(log.size).toBe(1);
  });
});

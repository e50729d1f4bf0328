// What the SSE streams of this process sent lately, so a client whose stream was cut resumes with Last-Event-ID; bounded.
import type { EventStore, JSONRPCMessage } from "@modelcontextprotocol/server";

export interface EventLimits {
  /** Events kept, across all sessions of the process. @default 1000 */
  maxEvents: number;
  /** Their JSON size, in UTF-16 units. @default 16 MiB */
  maxBytes: number;
  /** How long an event can still be replayed: longer than any reconnect, shorter than memory should hold. @default 5 min */
  maxAgeMs: number;
  /** Events one session keeps: a session sending much (progress of many calls) pushes out its own, not another's. @default 200 */
  maxEventsPerSession: number;
}

export const DEFAULT_EVENT_LIMITS: EventLimits = {
  maxEvents: 1000,
  maxBytes: 16 * 1024 * 1024,
  maxAgeMs: 5 * 60_000,
  maxEventsPerSession: 200,
};

/** One session's view: it replays only its own events, so a guessed event id of another session finds nothing. */
export interface SessionEvents extends EventStore {
  /** Given, so the SDK checks a resume against the stream it belongs to (and refuses an unknown id with 400). */
  getStreamIdForEventId(eventId: string): Promise<string | undefined>;
  /** The session ended: its events go at once. */
  drop(): void;
}

export interface EventLog {
  forSession(): SessionEvents;
  readonly size: number;
  readonly bytes: number;
}

interface Entry {
  owner: number;
  streamId: string;
  message: JSONRPCMessage;
  bytes: number;
  at: number;
}

/**
 * One log per process, in memory (sessions live in one process anyway: see "sticky routing" in the README).
 * A Map keeps insertion order, which is age order: eviction and expiry take from the front.
 */
export function createEventLog(limits: Partial<EventLimits> = {}, now: () => number = Date.now): EventLog {
  const { maxEvents, maxBytes, maxAgeMs, maxEventsPerSession } = { ...DEFAULT_EVENT_LIMITS, ...limits };
  const entries = new Map<string, Entry>();
  const counts = new Map<number, number>();
  let bytes = 0;
  let seq = 0;
  let sessions = 0;

  const remove = (id: string, entry: Entry) => {
    entries.delete(id);
    bytes -= entry.bytes;
    const left = (counts.get(entry.owner) ?? 1) - 1;
    if (left > 0) counts.set(entry.owner, left);
    else counts.delete(entry.owner);
  };
  /** A session over its own share gives up its oldest event. */
  const trimSession = (owner: number) => {
    if ((counts.get(owner) ?? 0) <= maxEventsPerSession) return;
    for (const [id, entry] of entries) {
      if (entry.owner === owner) return remove(id, entry);
    }
  };
  const trim = () => {
    const oldest = now() - maxAgeMs;
    for (const [id, entry] of entries) {
      // The newest event always stays, even alone over the byte bound: the response it carries is the one awaited.
      const over = entries.size > maxEvents || (bytes > maxBytes && entries.size > 1) || entry.at <= oldest;
      if (!over) break;
      remove(id, entry);
    }
  };

  return {
    forSession(): SessionEvents {
      const owner = ++sessions;
      const mine = (id: string) => {
        trim();
        const entry = entries.get(id);
        return entry && entry.owner === owner ? entry : undefined;
      };
      return {
        async storeEvent(streamId, message) {
          const id = String(++seq);
          const size = JSON.stringify(message).length;
          entries.set(id, { owner, streamId, message, bytes: size, at: now() });
          bytes += size;
          counts.set(owner, (counts.get(owner) ?? 0) + 1);
          trimSession(owner);
          trim();
          return id;
        },
        async getStreamIdForEventId(id) {
          return mine(id)?.streamId;
        },
        async replayEventsAfter(lastEventId, { send }) {
          const last = mine(lastEventId);
          if (!last) throw new Error(`event ${lastEventId.slice(0, 20)} is not (or no longer) kept`);
          let after = false;
          for (const [id, entry] of [...entries]) {
            if (id === lastEventId) after = true;
            // The priming event (an empty message) only gave the client its cursor: nothing to replay.
            else if (after && entry.owner === owner && entry.streamId === last.streamId && "jsonrpc" in entry.message)
              await send(id, entry.message);
          }
          return last.streamId;
        },
        drop() {
          for (const [id, entry] of entries) if (entry.owner === owner) remove(id, entry);
        },
      };
    },
    get size() {
      trim();
      return entries.size;
    },
    get bytes() {
      trim();
      return bytes;
    },
  };
}

// Names, once, in the server log an MCP client that answers confirmations for its user (auto-declines or auto-accepts), with what the operator can do.
import type { Logger } from "../core/log.js";
import { quoted } from "../core/quote.js";

/** What a client said it is at initialize (`clientInfo`). */
export interface HostInfo {
  name: string;
  version: string;
}

export interface HostWatch {
  /** After each confirmation: how many of the client's replies were automatic, and whether one came from a person. */
  saw(host: HostInfo | undefined, turn: { automatic: number; shown: boolean }): void;
}

/** Two automatic replies with none from a person between them: one fast "no" may be a reflex, a second is the client's habit. */
const HABIT = 2;
/** Clients remembered at once: names come from clients, so the map must not grow without bound. */
const MAX_HOSTS = 100;

export function createHostWatch(log: Logger | undefined, fastAnswerSeconds: number): HostWatch {
  const streaks = new Map<string, number>();
  const named = new Set<string>();
  return {
    saw(host, turn) {
      if (!log || (turn.automatic === 0 && !turn.shown)) return;
      const key = host ? `${host.name}\0${host.version}` : "";
      const streak = turn.shown ? 0 : (streaks.get(key) ?? 0) + turn.automatic;
      streaks.delete(key);
      streaks.set(key, streak);
      if (streaks.size > MAX_HOSTS) streaks.delete(streaks.keys().next().value!);
      if (streak < HABIT || named.has(key) || named.size >= MAX_HOSTS) return;
      named.add(key);
      const who = host
        ? `The MCP client ${quoted(host.name, 80)} ${quoted(host.version, 40)}`
        : "An MCP client that gave no name";
      log.warn(
        `${who} declares elicitation but answered ${streak} confirmations in a row (yes, no or cancel) within ${fastAnswerSeconds} s, faster than a person can read them: it does not show them to its user. ` +
          "Those confirmations moved on to the confirmation page where one was available, else were refused. So that its users can confirm, run this server with --confirm-via browser (over stdio on the user's own machine) or --confirm-via url (if the client supports URL elicitation).",
      );
    },
  };
}

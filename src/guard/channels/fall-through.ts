// One confirmation, channel after channel: the next is asked when the question reached no person (the browser did not start).
import type { RefusalReason } from "../../core/errors.js";
import type { Channel, ChannelAnswer, ConfirmationAsk } from "./channel.js";

/** A channel asked before the one whose answer stands, and why its answer did not count. */
export interface PassedOver {
  channel: string;
  reason: RefusalReason;
}

export interface Turn {
  /** The channel whose answer stands; when no channel reached a person, the last one asked. */
  channel: Channel;
  answer: ChannelAnswer;
  /** Channels asked before `channel`, in order (for the audit line). */
  passedOver: PassedOver[];
}

/**
 * Asks on `candidates` in order (the channels --confirm-via allows that are available to this call)
 * until one reached a person. Moving on is decided here, once, from what any channel reports:
 * `unshown` (the channel could not put the question to anyone) moves on to the next channel, of any
 * kind the mode allows, as if this one had not been available.
 */
export async function askInTurn(candidates: readonly Channel[], req: ConfirmationAsk): Promise<Turn> {
  const passed: Array<PassedOver & { why: string; next: string; channelRef: Channel }> = [];

  for (const channel of candidates) {
    const answer = await channel.ask(req);
    if (answer.kind === "unshown") {
      passed.push({ channel: channel.name, reason: answer.reason, why: answer.why, next: answer.next, channelRef: channel });
      continue;
    }
    return { channel, answer, passedOver: passed.map(({ channel: c, reason }) => ({ channel: c, reason })) };
  }

  const last = passed.at(-1);
  if (!last) throw new Error("a confirmation was asked with no channel to ask on");
  const why = `${passed.map((p) => p.why).join("; then ")}; and no other channel can reach a person here.`;
  return {
    channel: last.channelRef,
    answer: { kind: "refused", reason: last.reason, why, next: last.next },
    passedOver: passed.slice(0, -1).map(({ channel: c, reason }) => ({ channel: c, reason })),
  };
}

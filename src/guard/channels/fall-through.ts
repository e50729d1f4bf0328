// One confirmation, channel after channel: the next is asked when the question reached no person (the browser did not start, or the host declined it unseen).
import type { RefusalReason } from "../../core/errors.js";
import type { Channel, ChannelAnswer, ConfirmationAsk, Resumed } from "./channel.js";

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
  /** The client's own replies in this turn: how many were too fast to be a person's, and whether one was not. */
  host: { automatic: number; shown: boolean };
}

export interface TurnOptions {
  /** --confirm-fast-answer in ms: a form's answer (yes, no, cancel) the client sends back sooner than this is its host's, not a person's. 0: never. */
  fastAnswerMs: number;
  /**
   * This round answers a question asked in an earlier round of the same call (an input request): the channel that
   * asked it, the client's answer, and what the turn had found before (channels passed over, automatic answers).
   */
  resume?: { channel: string; resumed: Resumed; passedOver: PassedOver[]; automatic: number } | undefined;
}

const seconds = (ms: number) => `${Math.round(ms) / 1000} s`;

const AUTOMATIC_NEXT =
  "Tell the user it was not done: their MCP client answered the confirmation without showing it to them. Whoever runs this server can let them confirm on the confirmation page instead, with --confirm-via browser (a server over stdio on the user's own machine) or url (a client that supports URL elicitation), or set --confirm-fast-answer 0 if people really answer that fast; it can also be done in SailPoint ISC directly.";

/**
 * Asks on `candidates` in order (the channels --confirm-via allows that are available to this call)
 * until one reached a person. Moving on is decided here, once, from what any channel reports:
 * - `unshown` (the channel could not put the question to anyone): the next channel, of any kind the
 *   mode allows, as if this one had not been available;
 * - an answer that the client itself sent back (`fromHost`) sooner than `fastAnswerMs` after it was
 *   asked: auto-declined (a decline or cancel) or auto-accepted (a yes), since no person reads a
 *   preview that fast; a yes nobody read is worth no more than a code the model passes back. Only a
 *   human channel may follow: after a "no" that may have been a person's, a code (which a model can
 *   pass back) must never turn it into a yes.
 * A form or URL question goes out as an input request: the turn stops there (answer `input`) and the
 * call's next round resumes it at that channel with the client's answer (`opts.resume`). The time is
 * from the question's sending to that round, on one clock (`Resumed.answeredAfterMs`).
 */
export async function askInTurn(
  candidates: readonly Channel[],
  req: ConfirmationAsk,
  opts: TurnOptions,
): Promise<Turn> {
  const { resume } = opts;
  const passed: Array<PassedOver & { why: string; next: string; channelRef?: Channel }> = resume
    ? resume.passedOver.map((p) => ({ ...p, why: "", next: "" }))
    : [];
  const host = { automatic: resume?.automatic ?? 0, shown: false };
  // A resumed turn goes on where the earlier round stopped: at the channel that asked (its question answered now).
  const from = resume ? candidates.findIndex((c) => c.name === resume.channel) : 0;
  if (from < 0)
    throw new Error(
      `a confirmation round answers the channel "${resume!.channel}", which cannot be used for this call`,
    );

  for (const channel of candidates.slice(from)) {
    if (host.automatic > 0 && !channel.human) continue;
    const resumed = resume && channel.name === resume.channel ? resume.resumed : undefined;
    const answer = await channel.ask({ ...req, resumed });
    if (answer.kind === "input") return { channel, answer, passedOver: plain(passed), host };
    if (answer.kind === "unshown") {
      passed.push({
        channel: channel.name,
        reason: answer.reason,
        why: answer.why,
        next: answer.next,
        channelRef: channel,
      });
      continue;
    }
    // The question's round trip: from when it was sent (an earlier round) to this round, on one clock.
    const elicited = resumed?.answeredAfterMs;
    const fromHost = (answer.kind === "refused" || answer.kind === "confirmed") && answer.fromHost === true;
    const fast = fromHost && elicited !== undefined && elicited < opts.fastAnswerMs;
    const automatic = !fast
      ? undefined
      : answer.kind === "confirmed"
        ? "auto-accepted"
        : answer.kind === "refused" && (answer.reason === "declined" || answer.reason === "cancelled")
          ? "auto-declined"
          : undefined;
    if (automatic) {
      host.automatic++;
      const did =
        answer.kind === "confirmed"
          ? "said yes to"
          : answer.kind === "refused" && answer.reason === "cancelled"
            ? "cancelled"
            : "declined";
      passed.push({
        channel: channel.name,
        reason: automatic,
        why: `the MCP client ${did} the confirmation (${channel.name}) ${seconds(elicited!)} after it was sent, faster than a person can read it, so this server takes it as the client's own answer, not a person's (${automatic})`,
        next: AUTOMATIC_NEXT,
        channelRef: channel,
      });
      continue;
    }
    if (fromHost && !fast) host.shown = true;
    return { channel, answer, passedOver: plain(passed), host };
  }

  const last = passed.at(-1);
  if (!last?.channelRef) throw new Error("a confirmation was asked with no channel to ask on");
  // Only what this round found is explained; channels passed over in earlier rounds are in the audit line.
  const why = `${passed
    .filter((p) => p.why)
    .map((p) => p.why)
    .join("; then ")}; and no other channel can reach a person here.`;
  return {
    channel: last.channelRef,
    answer: { kind: "refused", reason: last.reason, why, next: last.next },
    passedOver: plain(passed.slice(0, -1)),
    host,
  };
}

const plain = (passed: readonly PassedOver[]): PassedOver[] =>
  passed.map(({ channel, reason }) => ({ channel, reason }));

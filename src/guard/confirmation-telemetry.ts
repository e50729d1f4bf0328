// Confirmations as telemetry: a span per confirmation (channel, outcome, how long the human took), linked to the one
// that opened it when the answer arrives in a later request; their count and duration; the pending gauge.
import type { SpanContext } from "@opentelemetry/api";
import { telemetry, waitingForHuman } from "../core/telemetry.js";
import type { AuditEntry } from "./audit.js";

/** One confirmation being asked within a tool call: made right before the channels are asked, ended at its audit line. */
export interface Asking {
  readonly binding: string;
  readonly at: number;
  answeredAt?: number;
  confirmed: boolean;
  waiting: boolean;
}

/**
 * Spans of confirmations left open (a page still waiting, a code issued, an input request sent back) by the key of
 * what they bind, so the request that brings the answer links to them. This process only; bounded.
 */
const earlier = new Map<string, { context: SpanContext; until: number }>();
const EARLIER_KEPT = 1_000;
const EARLIER_MS = 30 * 60_000;

/** Outcomes that leave the confirmation open for a later request. */
const LEFT_OPEN = new Set(["confirmation-required", "confirmation-pending"]);

/** A human (or a code) is about to be asked for this binding: the pending gauge counts the call until the answer. */
export function askingHuman(binding: string): Asking {
  waitingForHuman(1);
  return { binding, at: Date.now(), confirmed: false, waiting: true };
}

/**
 * A question sent back as an input request: the human is still being asked, in the client, until the call's next round
 * (in this process: the same 2025 call's, or a 2026 client's on the same connection) takes the Asking back with
 * `resumeAsking`; if none comes, the pending gauge lets go at `untilMs`.
 */
const parked = new Map<string, { asking: Asking; timer: ReturnType<typeof setTimeout> }>();
/** Parked under the round's own key (its requestState's nonce), which the round answering it has before it reads anything. */
export function askedInNextRound(asking: Asking, round: string, untilMs: number): void {
  // Without telemetry nothing reads the gauge or the span: no timer and no entry held while the person answers.
  if (!telemetry()) return stopWaiting(asking);
  const before = parked.get(round);
  if (before) clearTimeout(before.timer);
  const timer = setTimeout(
    () => {
      parked.delete(round);
      stopWaiting(asking);
    },
    Math.max(0, untilMs),
  );
  timer.unref?.();
  parked.set(round, { asking, timer });
}

/** The Asking the round `round` answers left open (its gauge still counting), else a new one for `binding`. */
export function resumeAsking(round: string | undefined, binding: string): Asking {
  const found = round === undefined ? undefined : parked.get(round);
  if (!found) return askingHuman(binding);
  parked.delete(round!);
  clearTimeout(found.timer);
  return found.asking;
}

/** The channel answered (whatever the answer): the human's time ends here, before the re-check and the act. */
export function humanAnswered(asking: Asking, confirmed: boolean): void {
  asking.answeredAt = Date.now();
  asking.confirmed = confirmed;
  stopWaiting(asking);
}

/** At the audit line of a call that asked: the span, the count by tool, channel and outcome, and the duration. */
export function confirmationRecorded(entry: AuditEntry, asking: Asking | undefined): void {
  if (!asking) return;
  stopWaiting(asking);
  const t = telemetry();
  if (!t) return;
  const end = asking.answeredAt ?? Date.now();
  const outcome = asking.confirmed
    ? "confirmed"
    : LEFT_OPEN.has(entry.reason ?? "")
      ? entry.reason === "confirmation-required"
        ? "code-issued"
        : "pending"
      : (entry.reason ?? entry.outcome);
  const labels = {
    "gen_ai.tool.name": entry.tool,
    "isc_mcp.confirmation.channel": entry.confirmation,
    "isc_mcp.confirmation.outcome": outcome,
  };
  t.instruments.confirmations.add(1, labels);
  t.instruments.confirmationDuration.record((end - asking.at) / 1000, labels);
  if (!t.spans) return;
  const { api } = t;
  sweep(Date.now());
  const before = earlier.get(asking.binding);
  const span = t.tracer.startSpan(`confirm ${entry.tool}`, {
    kind: api.SpanKind.INTERNAL,
    startTime: asking.at,
    attributes: {
      ...labels,
      "isc_mcp.confirmation.wait_ms": end - asking.at,
      // Identity ids, as the audit line has them; never a name, an email or a code.
      "isc_mcp.target.ids": entry.targetIds,
      ...(entry.passedOver?.length
        ? { "isc_mcp.confirmation.passed_over": entry.passedOver.map((p) => `${p.channel}:${p.reason}`) }
        : {}),
    },
    ...(before
      ? { links: [{ context: before.context, attributes: { "isc_mcp.link": "asked-in-earlier-request" } }] }
      : {}),
  });
  if (outcome === "pending" || outcome === "code-issued") {
    if (earlier.size >= EARLIER_KEPT) earlier.delete(earlier.keys().next().value!);
    earlier.set(asking.binding, { context: span.spanContext(), until: Date.now() + EARLIER_MS });
  } else {
    earlier.delete(asking.binding);
  }
  if (outcome !== "confirmed" && outcome !== "pending" && outcome !== "code-issued")
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: outcome });
  span.end(end);
}

function stopWaiting(asking: Asking): void {
  if (!asking.waiting) return;
  asking.waiting = false;
  waitingForHuman(-1);
}

function sweep(now: number): void {
  for (const [key, entry] of earlier) {
    if (entry.until > now) break;
    earlier.delete(key);
  }
}

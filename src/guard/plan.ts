// A write tool's guard plan: what the guard must check, show and ask before the tool's `act` may touch the tenant.
import type { IscRead } from "../isc/body.js";
import type { IdentitySummary } from "../views/identity.js";

/** How a human confirms: type the identity's name (delete, reset), say yes (the rest), or not at all. */
export type ConfirmBy = "name" | "yes";

export type PreviewSpec =
  /** One identity: read it; `blockers` (ISC reads of the tool's own) say why the action cannot succeed. */
  | { kind: "identity"; identityId: string; blockers?: (identity: IdentitySummary, read: IscRead) => Promise<string[]> }
  /**
   * Many identities: the count is the blast radius, given or read (e.g. "every unregistered one").
   * The count may move while the human decides; `fingerprint` names what is confirmed. @default `count:<n>`
   */
  | { kind: "count"; count: number | ((read: IscRead) => Promise<number>); fingerprint?: string };

/** Computed by the tool from its validated arguments; the guard knows nothing else about the tool. */
export interface GuardPlan {
  /** Identity ids, for the audit log (empty when the target is "all of a kind"). */
  targetIds: string[];
  /** Our words for what will happen, shown in previews. */
  action: string;
  /** One sentence for refusals, e.g. "The identity was not deleted." */
  notDone: string;
  /** How a human confirms whatever the count; "none" leaves it to `mass`. */
  confirm: ConfirmBy | "none";
  /** What to read and show before asking; needed unless `confirm` is "none". */
  preview?: PreviewSpec;
  /** What to do about blockers found by the preview. */
  blockedNext?: string;
  /** Refuse (without calling ISC) when the same tool ran on the same targets this recently. */
  cooldownMs?: number;
  /**
   * A mass action on these ids: they count toward the identities this tool touched on this tenant within
   * --confirm-window; past --confirm-threshold a human says yes to a count preview (batches add up).
   */
  mass?: { ids: readonly string[] };
  /** How to check the result when ISC's answer after acting cannot be read, e.g. "get_identity on the identity". */
  verify: string;
  /** Extra audit fields, e.g. `uninvited` for "every unregistered identity". */
  audit?: { uninvited?: true };
}

/** What `act` reports: the value for `render`, and the audit's fields. */
export interface ActResult<V> {
  value: V;
  httpStatus: number;
  /** ISC task or job id, for the audit line. */
  taskId?: string | undefined;
}

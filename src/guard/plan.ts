// A write tool's guard plan: what the guard must check, show and ask before the tool's `act` may touch the tenant.
import type { IscRead } from "../isc/body.js";
import type { IdentitySummary } from "../views/identity.js";

/** How a human confirms: type the identity's name (delete, reset), say yes (the rest), or not at all. */
export type ConfirmBy = "name" | "yes";

export type PreviewSpec =
  /** One identity: read it; `blockers` (ISC reads of the tool's own) say why the action cannot succeed. */
  | { kind: "identity"; id: string; blockers?: (identity: IdentitySummary, read: IscRead) => Promise<string[]> }
  /**
   * Many identities: the count is the blast radius, given or read (e.g. "every unregistered one").
   * The count may move while the human decides; `fingerprint` names what is confirmed. @default `count:<n>`
   * `touched`: which identities, so the confirmation page can name the first few.
   */
  | {
      kind: "count";
      count: number | ((read: IscRead) => Promise<number>);
      fingerprint?: string;
      touched?: Touched | undefined;
    };

/** Which identities a mass action touches, as the tool knows them: these ids, or the ones an ISC `filters` expression selects. */
export type Touched = { identities: readonly string[] } | { filter: string };

/** The confirmation page's words for this tool: its heading, its button, and "what happens next" (after "… to"). */
export interface PageWords {
  title: string;
  button: string;
  next: string;
  /** The preview's blockers already refused an identity that owns anything, so the page may say it owns nothing. */
  ownsNothing?: true;
}

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
  mass?: { identities: readonly string[] };
  /** How to check the result when ISC's answer after acting cannot be read, e.g. "get_identity on the identity". */
  verify: string;
  /** What to tell the model when the target does not exist (ISC answered 404), e.g. how to find the right id. */
  gone?: string;
  /** The confirmation page's words for this tool. @default its name in words, "Confirm", "go ahead" */
  page?: PageWords;
  /** Extra fields for the audit line, named by the tool (e.g. that invite asked for every unregistered identity). */
  audit?: Readonly<Record<string, string | number | boolean>>;
}

/** What `act` reports: the value for `render`, and the audit's fields. */
export interface ActResult<V> {
  value: V;
  httpStatus: number;
  /** ISC task or job id, for the audit line. */
  taskId?: string | undefined;
}

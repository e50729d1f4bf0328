// Every error type of the server: IscError (any ISC failure), ToolFailure and Refusal (shown to the model), ConfigError (shown to the user).
/** What kind of ISC failure: decides the next step the model is told. */
export type IscErrorKind =
  | "http" // ISC answered with an error status
  | "rate_limited" // 429 whose Retry-After is beyond what we wait out
  | "timeout" // one HTTP request took longer than the request timeout
  | "deadline" // the whole tool call ran past its deadline
  | "cancelled" // the MCP client cancelled the call
  | "network" // no HTTP answer at all (refused, reset, DNS)
  | "auth" // the token endpoint refused or failed
  | "bad_response" // ISC answered 2xx with a body we cannot read
  | "invalid_input"; // an argument that must not reach ISC (e.g. an id with a slash)

export interface IscErrorInit {
  kind: IscErrorKind;
  message: string;
  method?: string;
  path?: string;
  status?: number;
  detailCode?: string;
  trackingId?: string;
  retryAfterSeconds?: number;
  /**
   * Timeouts and deadlines: true when a write's request may have reached ISC and run there, false when it
   * never left (or ISC refused it unrun, 429 or 401) or it was a read. Decides "nothing was changed".
   */
  mayHaveActed?: boolean;
  /** Parsed error body, kept for callers that read structure (e.g. delete's association details). */
  body?: unknown;
}

export class IscError extends Error {
  override name = "IscError";
  readonly kind: IscErrorKind;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly status: number | undefined;
  readonly detailCode: string | undefined;
  readonly trackingId: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly mayHaveActed: boolean | undefined;
  readonly body: unknown;

  constructor(init: IscErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.detailCode = init.detailCode;
    this.trackingId = init.trackingId;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.mayHaveActed = init.mayHaveActed;
    this.body = init.body;
  }
}

/** Reads ISC's error bodies (ErrorResponseDto, `{error}`, `{message}`) into message text and ids. */
export function readErrorBody(body: unknown): {
  text: string | undefined;
  detailCode: string | undefined;
  trackingId: string | undefined;
} {
  if (!body || typeof body !== "object") return { text: undefined, detailCode: undefined, trackingId: undefined };
  const b = body as Record<string, unknown>;
  const texts: string[] = [];
  for (const list of [b.messages, b.causes]) {
    if (Array.isArray(list)) {
      for (const m of list) {
        const t = (m as { text?: unknown } | null)?.text;
        if (typeof t === "string" && t && !texts.includes(t)) texts.push(t);
      }
    }
  }
  for (const key of ["message", "error_description", "error"]) {
    const v = b[key];
    if (typeof v === "string" && v && texts.length === 0) texts.push(v);
  }
  return {
    text: texts.length ? texts.join(" ") : undefined,
    detailCode: typeof b.detailCode === "string" ? b.detailCode : undefined,
    // Shown to the model and written to the audit log: only something that looks like an id gets through.
    trackingId:
      typeof b.trackingId === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(b.trackingId) ? b.trackingId : undefined,
  };
}

/** A failure the model can act on, raised by a tool itself (not by ISC); its message is shown as is. */
export class ToolFailure extends Error {
  override name = "ToolFailure";
}

/** Stable keys for the audit log; the text carries the explanation. */
export type RefusalReason =
  | "confirmation-required"
  | "confirmation-pending"
  | "declined"
  | "cancelled"
  | "name-mismatch"
  | "answer-invalid"
  | "elicitation-failed"
  | "elicitation-required"
  /** The client declined or cancelled a confirmation faster than a person can read it: its host, not a person (--confirm-fast-answer). */
  | "auto-declined"
  /** The client said yes to a confirmation faster than a person can read it: not taken as a person's yes (--confirm-fast-answer). */
  | "auto-accepted"
  /** The BROWSER command or the desktop's opener could not be started or failed. */
  | "browser-failed"
  | "code-mismatch"
  | "code-used"
  | "code-untracked"
  | "code-expired"
  | "target-changed"
  | "target-gone"
  | "target-unreadable"
  | "blocked"
  | "too-soon"
  | "too-many-pending"
  | "store-unavailable"
  /** A confirmation's requestState (an input request's round) that was altered, not this server's, or unreadable. */
  | "state-invalid"
  | "state-expired"
  /** A requestState minted for another tool, other arguments (another target) or another tenant. */
  | "state-mismatch"
  /** A requestState minted for another signed-in person's call. */
  | "state-other-person"
  /** A requestState whose round was already taken (each is spent once). */
  | "state-replayed"
  /** Whether the requestState was already spent cannot be known (another process, a restart, a store that may evict). */
  | "state-untracked";

/** The guard's "no": its text says that nothing was changed, why, and what to do next. */
export class Refusal extends ToolFailure {
  override name = "Refusal";
  constructor(
    readonly reason: RefusalReason,
    text: string,
    readonly httpStatus?: number,
    readonly trackingId?: string,
  ) {
    super(text);
  }
}

/**
 * The shared store (Redis) did not answer in time or at all. Whatever needed it is not done on a
 * guess: the guard turns this into a refusal that says nothing was changed and to retry.
 */
export class StoreUnavailable extends Error {
  override name = "StoreUnavailable";
}

/** Configuration a user must fix; the CLI prints its message alone. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

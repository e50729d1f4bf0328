// Spec-shaped data of the sandbox tenant (v2025 schemas) and the in-memory state that holds it.

export type IdentityStatus =
  | "UNREGISTERED"
  | "REGISTERED"
  | "PENDING"
  | "WARNING"
  | "DISABLED"
  | "ACTIVE"
  | "DEACTIVATED"
  | "TERMINATED"
  | "ERROR"
  | "LOCKED";

export interface IdentityRef {
  type: "IDENTITY";
  id: string;
  name: string;
}

/** The spec's `Identity` schema, every property written (nullable ones as null). */
export interface Identity {
  id: string;
  name: string;
  created: string;
  modified: string;
  alias: string;
  emailAddress: string | null;
  processingState: "ERROR" | "OK" | null;
  identityStatus: IdentityStatus;
  managerRef: IdentityRef | null;
  isManager: boolean;
  lastRefresh: string;
  attributes: Record<string, unknown>;
  lifecycleState: { stateName: string; manuallyUpdated: boolean } | null;
}

/**
 * Facts ISC filters on but the v2024/v2025 `Identity` schema does not carry, so they live beside
 * the identity rather than in its body (writing undeclared properties would mislead clients).
 */
export interface IdentityFlags {
  protected: boolean;
  correlated: boolean;
}

export interface BaseReference {
  type: string;
  id: string;
  name: string;
}

export interface RoleAssignmentRef {
  id: string;
  role: BaseReference;
  addedDate: string;
  startDate: string | null;
  removeDate: string | null;
}

export interface RoleAssignmentDto extends RoleAssignmentRef {
  comments: string | null;
  assignmentSource: string;
  assigner: { type: "IDENTITY" | "UNKNOWN"; id?: string; name: string | null };
  assignedDimensions: BaseReference[];
  assignmentContext: {
    requested?: { contextAttributes: Array<{ attribute: string; value: string | string[]; derived: boolean }> };
    matched: Array<{
      roleRef: BaseReference;
      matchedAttributes: Array<{ attribute: string; value: string; derived: boolean }>;
    }>;
    computedDate: string;
  } | null;
  accountTargets: Array<{
    source: BaseReference;
    accountInfo: { nativeIdentity: string; displayName: string; uuid: string };
    role: BaseReference;
  }>;
}

/** One entry of `associationDetails`, in the schema's shape (entities wrapped in `identityEntity`). */
export interface AssociationDetail {
  associationType: string;
  entities: Array<{ identityEntity: { id: string; name: string; type: string } }>;
}

/** What finishing a task does to the identities it names. */
export type TaskEffect = "refresh" | "none";

/**
 * A task the tenant runs (process, invite, seeded history). Its TaskStatus is computed from the clock,
 * so it moves QUEUED -> IN_PROGRESS -> finished without timers; effects are applied when a request sees them due.
 */
export interface TaskRecord {
  id: string;
  type: "QUARTZ" | "QPOC" | "QUEUED_TASK";
  /** What the list's `type` filter matches besides `type` (e.g. IDENTITY_REFRESH). */
  definitionType: string;
  uniqueName: string;
  description: string;
  launcher: string;
  target: { type: "APPLICATION" | "IDENTITY" | null; id: string; name: string } | null;
  sourceId: string | null;
  attributes: Record<string, unknown>;
  createdMs: number;
  launchMs: number;
  completeMs: number;
  outcome: "SUCCESS" | "ERROR";
  /** Messages of an ERROR outcome. */
  errors: string[];
  identityIds: string[];
  effect: TaskEffect;
  /** Which of the effect's phases (start, finish) were applied to the identities. */
  applied: { started: boolean; finished: boolean };
}

export interface SandboxState {
  /** Iteration order is the default list order (name, then id), kept by seeding in that order. */
  identities: Map<string, Identity>;
  flags: Map<string, IdentityFlags>;
  /** Stored in the full RoleAssignmentDto shape; the list answers references unless filtered. */
  roleAssignments: Map<string, RoleAssignmentDto[]>;
  /** Only identities that own something have an entry. */
  ownership: Map<string, AssociationDetail[]>;
  /** The tenant's role catalog (what assignments point at). */
  roles: BaseReference[];
  invites: Array<{ at: number; ids: string[] | null; uninvited: boolean; taskId: string }>;
  verificationSends: Array<{ at: number; identityId: string; via: string; sourceName: string | null }>;
  processed: Array<{ at: number; identityIds: string[]; taskId: string }>;
  syncs: Array<{ at: number; identityId: string; jobId: string }>;
  resets: Array<{ at: number; identityId: string }>;
  deleted: string[];
  /** Every task, in creation order; id -> record. */
  tasks: Map<string, TaskRecord>;
}

// What the confirmation page shows: our words for the action, and the target's details as ISC gave them.

export interface PageIdentity {
  id: string;
  name: string;
  alias?: string | undefined;
  email?: string | undefined;
  status?: string | undefined;
  lifecycleState?: string | undefined;
}

export interface OwnedItem {
  /** ISC's association type and object type, e.g. "ROLE_OWNER source". */
  kind: string;
  name: string;
}

export interface PageView {
  /** The action as a heading, e.g. "Delete identity". */
  title: string;
  /** Our sentence of what will happen, e.g. "Delete the identity for good. This cannot be undone." */
  action: string;
  /** Shown in red, with a warning that it cannot be undone. */
  destructive: boolean;
  /** "name": the human types the identity's name; "yes": a Confirm button. */
  confirmBy: "name" | "yes";
  /** Label of the confirm button, e.g. "Delete identity". */
  button: string;
  tool: string;
  tenant: string;
  identity?: PageIdentity;
  /** What the identity owns, read just now; empty means nothing; absent means not read for this action. */
  owns?: OwnedItem[];
  /** How many identities a mass action touches. */
  count?: number;
  /** Names of the first identities a mass action touches (at most a few). */
  sample?: string[];
  /** After a confirmation: what the assistant will now do, e.g. "delete the identity". */
  next: string;
}

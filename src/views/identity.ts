// Shapes ISC identities for a model: a compact summary by default, a projection, or the whole object.
import { IscError } from "../core/errors.js";
import { quoted, token } from "../core/quote.js";

export type RawIdentity = Record<string, unknown> & { id: string; name: string };
/** The identity fields a caller can pick (the `fields` argument of the identity tools). */
export const IDENTITY_FIELDS = [
  "id",
  "name",
  "alias",
  "emailAddress",
  "identityStatus",
  "processingState",
  "lifecycleState",
  "managerRef",
  "isManager",
  "attributes",
  "created",
  "modified",
  "lastRefresh",
] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

export type IdentitySummary = {
  id: string;
  name: string;
  alias?: string;
  email?: string;
  status?: string;
  lifecycleState?: string;
  processingState?: string;
  manager?: string;
  protected?: boolean;
};

/** Checks that ISC gave us an identity at all; a wrong shape is a clear error, not a crash later. */
export function asIdentity(value: unknown, where: string): RawIdentity {
  const v = value as Record<string, unknown> | null;
  if (!v || typeof v !== "object" || Array.isArray(v) || typeof v.id !== "string" || typeof v.name !== "string") {
    throw new IscError({
      kind: "bad_response",
      message: `ISC returned something that is not an identity from ${where}.`,
    });
  }
  return v as RawIdentity;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function summarize(identity: RawIdentity): IdentitySummary {
  const attrs = (identity.attributes ?? {}) as Record<string, unknown>;
  const lifecycle = identity.lifecycleState as { stateName?: unknown } | null | undefined;
  const manager = identity.managerRef as { name?: unknown } | null | undefined;
  const prot = identity.protected ?? attrs.protected;
  const summary: IdentitySummary = { id: identity.id, name: identity.name };
  const set = <K extends keyof IdentitySummary>(key: K, value: IdentitySummary[K] | undefined) => {
    if (value !== undefined) summary[key] = value;
  };
  set("alias", str(identity.alias));
  set("email", str(identity.emailAddress) ?? str(attrs.email));
  set("status", str(identity.identityStatus) ?? str(attrs.cloudStatus));
  set("lifecycleState", str(lifecycle?.stateName) ?? str(attrs.cloudLifecycleState));
  set("processingState", str(identity.processingState));
  set("manager", str(manager?.name));
  if (prot === true || prot === "true") summary.protected = true;
  return summary;
}

export type IdentityRow = Record<string, unknown> & { id: string };

export function project(identity: RawIdentity, fields: readonly IdentityField[]): IdentityRow {
  const out: Record<string, unknown> = { id: identity.id };
  for (const f of fields) if (f in identity) out[f] = identity[f];
  return out as IdentityRow;
}

export function shapeIdentity(
  identity: RawIdentity,
  view: "summary" | "full",
  fields?: readonly IdentityField[],
): IdentityRow {
  if (fields) return project(identity, fields);
  return view === "full" ? identity : { ...summarize(identity) };
}

/** One line per identity for the text copy of a result; ISC's free text is quoted, never bare. */
export function identityLine(row: Record<string, unknown>): string {
  const parts = [quoted(row.name ?? "?")];
  if (row.alias && row.alias !== row.name) parts.push(`(${quoted(row.alias)})`);
  const email = row.email ?? row.emailAddress;
  if (email) parts.push(`<${quoted(email)}>`);
  const status = row.status ?? row.identityStatus;
  if (status) parts.push(token(status));
  const lifecycle =
    typeof row.lifecycleState === "string"
      ? row.lifecycleState
      : (row.lifecycleState as { stateName?: string } | undefined)?.stateName;
  if (lifecycle) parts.push(`lifecycle=${token(lifecycle)}`);
  if (row.processingState === "ERROR") parts.push("processing=ERROR");
  if (row.protected) parts.push("protected");
  parts.push(`id=${token(row.id)}`);
  return parts.join(" ");
}

// Reads ISC association details in both shapes the API is known to return (array or object; wrapped or flat entities).
import { IscError } from "../core/errors.js";
import { quoted, token } from "../core/quote.js";
export type OwnedObject = {
  associationType: string;
  type?: string;
  id?: string;
  name?: string;
};

function entityOf(raw: unknown): { id?: string; name?: string; type?: string } {
  if (!raw || typeof raw !== "object") return {};
  const r = raw as Record<string, unknown>;
  // The schema wraps entities in `identityEntity`; the spec's own examples and some tenants send them flat.
  const e = (r.identityEntity && typeof r.identityEntity === "object" ? r.identityEntity : r) as Record<
    string,
    unknown
  >;
  const pick = (k: string) => (typeof e[k] === "string" ? (e[k] as string) : undefined);
  return { id: pick("id"), name: pick("name"), type: pick("type") };
}

/** Flattens `{ associationDetails }` (array per schema, or a single object per the examples) into owned objects. */
export function readOwnedObjects(body: unknown): OwnedObject[] {
  const details = (body as { associationDetails?: unknown } | null)?.associationDetails;
  const groups = Array.isArray(details) ? details : details && typeof details === "object" ? [details] : [];
  const out: OwnedObject[] = [];
  for (const group of groups) {
    const g = group as { associationType?: unknown; entities?: unknown } | null;
    const associationType = typeof g?.associationType === "string" ? g.associationType : "UNKNOWN";
    const entities = Array.isArray(g?.entities) ? g.entities : [];
    for (const entity of entities) {
      const { id, name, type } = entityOf(entity);
      const obj: OwnedObject = { associationType };
      if (type) obj.type = type;
      if (id) obj.id = id;
      if (name) obj.name = name;
      out.push(obj);
    }
  }
  return out;
}

/**
 * The ownership endpoint's answer, checked first: a body of the wrong shape is a clear error, never
 * "owns nothing" (which would wave a delete through). Error bodies stay with the lenient reader above.
 */
export function readOwnershipResponse(body: unknown, where: string): OwnedObject[] {
  const details = (body as { associationDetails?: unknown } | null)?.associationDetails;
  if (!body || typeof body !== "object" || Array.isArray(body) || (details != null && typeof details !== "object")) {
    throw new IscError({
      kind: "bad_response",
      message: `ISC returned something that is not an ownership report from ${where}.`,
    });
  }
  return readOwnedObjects(body);
}

export function ownedLine(o: OwnedObject): string {
  return `${token(o.associationType)}${o.type ? ` ${token(o.type)}` : ""}: ${o.name !== undefined ? quoted(o.name) : "(no name)"}${o.id ? ` id=${token(o.id)}` : ""}`;
}

/** One owned object as a blocker line ("owns ROLE \"Admins\" (id \"...\")"), ISC's names quoted. */
export function ownedBlocker(o: OwnedObject): string {
  return `owns ${o.associationType}${o.type ? ` ${o.type}` : ""} ${quoted(o.name ?? "(no name)")}${o.id ? ` (id ${quoted(o.id)})` : ""}`;
}

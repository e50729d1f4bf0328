// Reads ISC association details in both shapes the API is known to return (array or object; wrapped or flat entities).
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
  const e = (r.identityEntity && typeof r.identityEntity === "object" ? r.identityEntity : r) as Record<string, unknown>;
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

export function ownedLine(o: OwnedObject): string {
  return `${o.associationType}${o.type ? ` ${o.type}` : ""}: ${o.name ?? "(no name)"}${o.id ? ` id=${o.id}` : ""}`;
}

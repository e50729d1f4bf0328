// Seeds what identities hold and own: role assignments (all three assignment sources) and owned objects.
import { APPLICATION_NAMES, DEPARTMENTS } from "./catalog.js";
import { computedDate, isoDate } from "./dates.js";
import type { AssociationDetail, BaseReference, RoleAssignmentDto } from "./model.js";
import type { Rng } from "./prng.js";
import { SEED_EPOCH, type SeededPerson } from "./seed-identities.js";

export function seedAssignments(
  rng: Rng,
  person: SeededPerson,
  roles: readonly BaseReference[],
  sources: readonly BaseReference[],
): RoleAssignmentDto[] {
  const out: RoleAssignmentDto[] = [];
  const created = person.createdMs;
  const pool = [...roles];
  const { firstname, lastname } = person.identity.attributes as { firstname: string; lastname: string };
  const offset = rng.int(3);
  for (let k = 0; k < person.roleCount && pool.length > 0; k++) {
    const role = pool.splice(rng.int(pool.length), 1)[0] as BaseReference;
    const added = created + rng.int(SEED_EPOCH - created);
    // Cycle through the three ways ISC assigns a role so every shape of context occurs.
    const kind = (["ROLE_MEMBERSHIP", "ACCESS_REQUEST", "UI"] as const)[(offset + k) % 3];
    const manager = person.identity.managerRef;
    const source = rng.pick(sources);
    out.push({
      id: rng.hex32(),
      role: { ...role },
      comments: kind === "ACCESS_REQUEST" ? `Needed for ${person.department.toLowerCase()} work` : null,
      assignmentSource:
        kind === "ROLE_MEMBERSHIP" ? "ROLE_MEMBERSHIP" : kind === "ACCESS_REQUEST" ? "ACCESS_REQUEST" : "UI",
      assigner:
        kind === "ROLE_MEMBERSHIP" || !manager
          ? { type: "UNKNOWN", name: null }
          : { type: "IDENTITY", id: manager.id, name: manager.name },
      assignedDimensions: [],
      assignmentContext:
        kind === "UI"
          ? null
          : kind === "ROLE_MEMBERSHIP"
            ? {
                matched: [
                  {
                    roleRef: { ...role },
                    matchedAttributes: [{ attribute: "department", value: person.department, derived: false }],
                  },
                ],
                computedDate: computedDate(added),
              }
            : {
                requested: { contextAttributes: [{ attribute: "location", value: person.location, derived: false }] },
                matched: [],
                computedDate: computedDate(added),
              },
      accountTargets: rng.chance(0.6)
        ? [
            {
              source: { ...source },
              accountInfo: {
                nativeIdentity: `CN=${firstname} ${lastname},OU=${person.location},DC=example,DC=com`,
                displayName: person.identity.name,
                uuid: `{${rng.uuid()}}`,
              },
              role: { ...role },
            },
          ]
        : [],
      startDate: null,
      removeDate: rng.chance(0.15) ? isoDate(SEED_EPOCH + (30 + rng.int(300)) * 86_400_000) : null,
      addedDate: isoDate(added),
    });
  }
  return out;
}

const departments = Object.keys(DEPARTMENTS);

const OWNED: ReadonlyArray<{ associationType: string; type: string; name: (dept: string, rng: Rng) => string }> = [
  { associationType: "ROLE_OWNER", type: "ROLE", name: (d) => `${d} Baseline` },
  { associationType: "ACCESS_PROFILE_OWNER", type: "ACCESS_PROFILE", name: (d) => `${d} Access` },
  { associationType: "SOURCE_OWNER", type: "SOURCE", name: (d) => `${d} Directory` },
  { associationType: "APPLICATION_OWNER", type: "APPLICATION", name: (_d, rng) => rng.pick(APPLICATION_NAMES) },
  { associationType: "GOVERNANCE_GROUP_OWNER", type: "GOVERNANCE_GROUP", name: (d) => `${d} Approvers` },
  { associationType: "CAMPAIGN_OWNER", type: "CAMPAIGN_CAMPAIGNER", name: (d) => `Quarterly ${d} Access Review` },
];

export function seedOwnership(rng: Rng, _person: SeededPerson): AssociationDetail[] {
  const pool = [...OWNED];
  const kinds = 1 + rng.int(3);
  const out: AssociationDetail[] = [];
  for (let k = 0; k < kinds; k++) {
    const kind = pool.splice(rng.int(pool.length), 1)[0];
    if (!kind) break;
    const entities = Array.from({ length: 1 + rng.int(2) }, () => ({
      identityEntity: { id: rng.hex32(), name: kind.name(rng.pick(departments), rng), type: kind.type },
    }));
    out.push({ associationType: kind.associationType, entities });
  }
  return out;
}

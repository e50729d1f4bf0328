// Seeds the people of the tenant: names, attributes, statuses, managers and the flags ISC filters on.
import { DEPARTMENTS, FIRST_NAMES, LAST_NAMES, LOCATIONS } from "./catalog.js";
import { isoDate as iso } from "./dates.js";
import type { BaseReference, Identity, IdentityFlags, IdentityStatus } from "./model.js";
import type { Rng } from "./prng.js";

/** Traits forced on the last identities generated, so every fixture exists whatever the seed. */
export type ForcedTrait = "protected" | "owner" | "error" | "unregistered" | "uncorrelated" | "withRoles" | "plain";
const FORCED: readonly ForcedTrait[] = [
  "protected",
  "owner",
  "error",
  "unregistered",
  "uncorrelated",
  "withRoles",
  "plain",
];

export interface SeededPerson {
  identity: Identity;
  flags: IdentityFlags;
  owner: boolean;
  /** Creation time in ms (kept to spare re-parsing `created`). */
  createdMs: number;
  roleCount: number;
  department: string;
  location: string;
}

const START = Date.UTC(2021, 0, 4);
/** The seeded data's "today": dates never depend on the wall clock. */
export const SEED_EPOCH = Date.UTC(2025, 9, 31, 12);
const DAY = 86_400_000;

function pickStatus(rng: Rng): IdentityStatus {
  const r = rng.next();
  if (r < 0.78) return "ACTIVE";
  if (r < 0.88) return "UNREGISTERED";
  if (r < 0.91) return "PENDING";
  if (r < 0.95) return "DISABLED";
  if (r < 0.97) return "LOCKED";
  return "TERMINATED";
}

const LIFECYCLE: Partial<Record<IdentityStatus, string>> = {
  TERMINATED: "terminated",
  DISABLED: "inactive",
  PENDING: "prehire",
};

export function seedPeople(
  rng: Rng,
  count: number,
  profiles: readonly BaseReference[],
  authoritative: BaseReference,
): SeededPerson[] {
  const managerCount = Math.max(1, Math.round(count * 0.06));
  const departments = Object.keys(DEPARTMENTS);
  const taken = new Map<string, number>();
  const people: SeededPerson[] = [];
  for (let i = 0; i < count; i++) {
    const forced = count >= 10 ? FORCED[count - 1 - i] : undefined;
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const base = `${first}.${last}`;
    const n = (taken.get(base.toLowerCase()) ?? 0) + 1;
    taken.set(base.toLowerCase(), n);
    const name = n === 1 ? base : `${base}${n}`;
    const alias = name.toLowerCase();
    const correlated = forced === "uncorrelated" ? false : forced ? true : rng.chance(0.94);
    const status: IdentityStatus = forced === "unregistered" ? "UNREGISTERED" : forced ? "ACTIVE" : pickStatus(rng);
    const pr = rng.next();
    const processingState =
      forced === "error" ? "ERROR" : forced ? "OK" : pr < 0.03 ? "ERROR" : pr < 0.08 ? null : "OK";
    const email = forced || rng.chance(0.98) ? `${alias}@example.com` : null;
    const department = rng.pick(departments);
    const location = rng.pick(LOCATIONS);
    const created = START + rng.int((SEED_EPOCH - START) * 0.8);
    const modified = created + rng.int(SEED_EPOCH - created);
    const lastRefresh = modified + rng.int(Math.min(30 * DAY, SEED_EPOCH - modified));
    const employeeNumber = String(100_000 + i);
    const profile = rng.pick(profiles);
    const attributes: Record<string, unknown> = {
      uid: employeeNumber,
      firstname: first,
      lastname: last,
      displayName: `${first} ${last}`,
    };
    if (email) attributes["email"] = email;
    attributes["cloudStatus"] = status;
    if (correlated) {
      attributes["cloudLifecycleState"] = LIFECYCLE[status] ?? "active";
      attributes["identityProfileId"] = profile.id;
      attributes["cloudAuthoritativeSource"] = authoritative.id;
    }
    attributes["department"] = department;
    attributes["title"] = rng.pick(DEPARTMENTS[department] ?? ["Employee"]);
    attributes["location"] = location;
    attributes["identificationNumber"] = employeeNumber;
    attributes["lastSyncDate"] = lastRefresh;
    const identity: Identity = {
      id: rng.hex32(),
      name,
      created: iso(created),
      modified: iso(modified),
      alias,
      emailAddress: email,
      processingState,
      identityStatus: status,
      managerRef: null,
      isManager: false,
      lastRefresh: iso(lastRefresh),
      attributes,
      lifecycleState: correlated
        ? { stateName: LIFECYCLE[status] ?? "active", manuallyUpdated: rng.chance(0.05) }
        : null,
    };
    // Managers are the first identities; each other correlated identity reports to one of them.
    const managerIndex = !correlated || i === 0 ? -1 : i < managerCount ? rng.int(i) : rng.int(managerCount);
    const manager = people[managerIndex];
    if (manager) {
      identity.managerRef = { type: "IDENTITY", id: manager.identity.id, name: manager.identity.name };
      manager.identity.isManager = true;
    }
    const isProtected = forced === "protected" || (!forced && rng.chance(0.02));
    const owner = forced === "owner" || (!forced && rng.chance(0.04));
    const roleCount =
      forced === "withRoles" ? 3 : forced === "plain" ? 1 : forced ? 0 : ([0, 0, 1, 1, 2, 3][rng.int(6)] ?? 0);
    people.push({
      identity,
      flags: { protected: isProtected, correlated },
      owner,
      createdMs: created,
      roleCount,
      department,
      location,
    });
  }
  return people;
}

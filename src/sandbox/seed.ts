// Builds the whole deterministic tenant state from a seed: catalogs, identities, assignments, ownership.
import { IDENTITY_PROFILE_NAMES, ROLE_NAMES, SOURCE_NAMES } from "./catalog.js";
import type { BaseReference, SandboxState } from "./model.js";
import { createRng } from "./prng.js";
import { seedAssignments, seedOwnership } from "./seed-access.js";
import { seedPeople } from "./seed-identities.js";

export function seedState(count: number, seed: number): SandboxState {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`identities must be a non-negative integer, got ${count}`);
  const rng = createRng(seed);
  const roles: BaseReference[] = ROLE_NAMES.map((name) => ({ type: "ROLE", id: rng.hex32(), name }));
  const sources: BaseReference[] = SOURCE_NAMES.map((name) => ({ type: "SOURCE", id: rng.hex32(), name }));
  const profiles: BaseReference[] = IDENTITY_PROFILE_NAMES.map((name) => ({
    type: "IDENTITY_PROFILE",
    id: rng.hex32(),
    name,
  }));
  const workday = sources.find((s) => s.name === "Workday") ?? (sources[0] as BaseReference);
  const people = seedPeople(rng, count, profiles, workday);

  const state: SandboxState = {
    identities: new Map(),
    flags: new Map(),
    roleAssignments: new Map(),
    ownership: new Map(),
    roles,
    invites: [],
    verificationSends: [],
    processed: [],
    syncs: [],
    resets: [],
    deleted: [],
    tasks: new Map(),
  };
  for (const person of people) {
    const id = person.identity.id;
    const assignments = seedAssignments(rng, person, roles, sources);
    if (assignments.length > 0) state.roleAssignments.set(id, assignments);
    if (person.owner) state.ownership.set(id, seedOwnership(rng, person));
  }
  // The Map's insertion order is the default list order, so sort once here instead of per request.
  const keyed = people.map((p) => ({ key: p.identity.name.toLowerCase(), p }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.p.identity.id < b.p.identity.id ? -1 : 1));
  for (const { p } of keyed) {
    state.identities.set(p.identity.id, p.identity);
    state.flags.set(p.identity.id, p.flags);
  }
  return state;
}

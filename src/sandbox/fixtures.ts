// Finds identities with the traits tests need (protected, owner, ...) in a seeded state.
import type { Identity, SandboxState } from "./model.js";

export interface Fixtures {
  /** Deletable, correlated, ACTIVE, processing OK, has email and a manager, not a manager itself. */
  plain: string;
  /** Protected (and owns nothing), so a delete fails with the protected message. */
  protected: string;
  /** Owns objects (and is not protected), so a delete fails listing them. */
  owner: string;
  /** At least two role assignments, with several assignment sources among them. */
  withRoles: string;
  /** processingState ERROR. */
  processingError: string;
  /** Correlated and UNREGISTERED (so the default CORRELATED_ONLY list shows it). */
  unregistered: string;
  /** isManager true. */
  manager: string;
  /** Not correlated: hidden by defaultFilter CORRELATED_ONLY. */
  uncorrelated: string;
}

/**
 * Ids of identities with each trait, first match in default list order. The eight are distinct
 * whenever the state allows it (always for seeded tenants of 10 or more identities), so a test may
 * delete or reset one without disturbing another; throws naming a trait no identity has.
 */
export function pickFixtures(state: SandboxState): Fixtures {
  const isProtected = (id: string): boolean => state.flags.get(id)?.protected === true;
  const correlated = (id: string): boolean => state.flags.get(id)?.correlated === true;
  const owns = (id: string): boolean => (state.ownership.get(id)?.length ?? 0) > 0;
  const traits: Record<keyof Fixtures, (identity: Identity, id: string) => boolean> = {
    plain: (i, id) =>
      !isProtected(id) &&
      !owns(id) &&
      correlated(id) &&
      i.identityStatus === "ACTIVE" &&
      i.processingState === "OK" &&
      i.emailAddress !== null &&
      i.managerRef !== null &&
      !i.isManager,
    protected: (_i, id) => isProtected(id) && !owns(id),
    owner: (_i, id) => owns(id) && !isProtected(id),
    withRoles: (_i, id) => {
      const list = state.roleAssignments.get(id) ?? [];
      return list.length >= 2 && new Set(list.map((a) => a.assignmentSource)).size >= 2;
    },
    processingError: (i) => i.processingState === "ERROR",
    unregistered: (i, id) => i.identityStatus === "UNREGISTERED" && correlated(id),
    manager: (i) => i.isManager,
    uncorrelated: (_i, id) => !correlated(id),
  };
  const candidates = Object.entries(traits).map(([label, test]) => {
    const ids: string[] = [];
    for (const [id, identity] of state.identities) if (test(identity, id)) ids.push(id);
    if (ids.length === 0) throw new Error(`sandbox state has no identity for fixture "${label}"`);
    return { label: label as keyof Fixtures, ids };
  });
  // Rarest trait first, so a common trait never takes the only candidate of a rare one.
  candidates.sort((a, b) => a.ids.length - b.ids.length);
  const used = new Set<string>();
  const picked = {} as Fixtures;
  for (const { label, ids } of candidates) {
    const id = ids.find((candidate) => !used.has(candidate)) ?? (ids[0] as string);
    used.add(id);
    picked[label] = id;
  }
  return picked;
}

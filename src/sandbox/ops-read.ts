// The read operations: list and get identities, ownership details, role assignments.
import { parseCollectionParams, parseSorters } from "./collection-params.js";
import type { OpContext } from "./context.js";
import { badRequest, json, notFound } from "./errors.js";
import { compileFilter } from "./filter-eval.js";
import { parseFilter } from "./filter-parser.js";
import { FilterSyntaxError } from "./filter-tokenizer.js";
import type { Identity, RoleAssignmentDto, RoleAssignmentRef } from "./model.js";

export function requireIdentity(ctx: OpContext, param: string): Identity {
  const id = ctx.params[param] ?? "";
  const identity = ctx.state.identities.get(id);
  if (!identity) throw notFound(`Identity "${id}" was not found.`);
  return identity;
}

export function listIdentities(ctx: OpContext): Response {
  const params = parseCollectionParams(ctx.query);
  const raw = ctx.query.get("filters");
  let predicate = null;
  if (raw !== null && raw.trim() !== "") {
    try {
      predicate = compileFilter(parseFilter(raw));
    } catch (error) {
      if (error instanceof FilterSyntaxError) throw badRequest(`Invalid filter: ${error.message}`);
      throw error;
    }
  }
  const sorters = ctx.query.get("sorters");
  const compare = sorters !== null && sorters.trim() !== "" ? parseSorters(sorters) : null;
  const matches: Identity[] = [];
  for (const identity of ctx.state.identities.values()) {
    const flags = ctx.state.flags.get(identity.id);
    if (params.correlatedOnly && !flags?.correlated) continue;
    if (predicate && !predicate(identity, flags)) continue;
    matches.push(identity);
  }
  if (compare) matches.sort(compare);
  const page = matches.slice(params.offset, params.offset + params.limit);
  return json(200, page, params.count ? { "x-total-count": String(matches.length) } : {});
}

export function getIdentity(ctx: OpContext): Response {
  return json(200, requireIdentity(ctx, "id"));
}

export function getOwnershipDetails(ctx: OpContext): Response {
  const identity = requireIdentity(ctx, "identityId");
  return json(200, { associationDetails: ctx.state.ownership.get(identity.id) ?? [] });
}

const toRef = (a: RoleAssignmentDto): RoleAssignmentRef => ({
  id: a.id,
  role: a.role,
  addedDate: a.addedDate,
  startDate: a.startDate,
  removeDate: a.removeDate,
});

/** Per the spec: full RoleAssignmentDtos when filtered by roleId/roleName, references otherwise. */
export function getRoleAssignments(ctx: OpContext): Response {
  const identity = requireIdentity(ctx, "identityId");
  const all = ctx.state.roleAssignments.get(identity.id) ?? [];
  const roleId = ctx.query.get("roleId");
  const roleName = ctx.query.get("roleName");
  if (roleId === null && roleName === null) return json(200, all.map(toRef));
  const name = roleName?.toLowerCase();
  return json(
    200,
    all.filter(
      (a) => (roleId === null || a.role.id === roleId) && (name === undefined || a.role.name.toLowerCase() === name),
    ),
  );
}

export function getRoleAssignment(ctx: OpContext): Response {
  const identity = requireIdentity(ctx, "identityId");
  const assignmentId = ctx.params["assignmentId"] ?? "";
  const found = ctx.state.roleAssignments.get(identity.id)?.find((a) => a.id === assignmentId);
  if (!found) throw notFound(`Role assignment "${assignmentId}" was not found for identity "${identity.id}".`);
  return json(200, found);
}

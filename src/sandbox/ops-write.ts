// The per-identity write operations: delete, reset and synchronize-attributes.
import type { OpContext } from "./context.js";
import { SandboxError, json } from "./errors.js";
import { requireIdentity } from "./ops-read.js";
import { startTask } from "./tasks.js";

export function deleteIdentity(ctx: OpContext): Response {
  const identity = requireIdentity(ctx, "id");
  const { state } = ctx;
  const owned = state.ownership.get(identity.id) ?? [];
  const isProtected = state.flags.get(identity.id)?.protected === true;
  if (owned.length > 0 || isProtected) {
    const message =
      owned.length > 0
        ? `Identity ${isProtected ? "is protected and " : ""}cannot be deleted as it is owner of following resources`
        : "Identity is protected and cannot be deleted";
    // The IdentityAssociationDetails schema (array of details), not the spec example's object.
    throw new SandboxError(400, message, {}, { message, associationDetails: owned });
  }
  state.identities.delete(identity.id);
  state.flags.delete(identity.id);
  state.roleAssignments.delete(identity.id);
  state.ownership.delete(identity.id);
  ctx.lastSync.delete(identity.id);
  state.deleted.push(identity.id);
  return new Response(null, { status: 204 });
}

/** Reset de-registers the identity: it must register (or be invited) again. */
export function resetIdentity(ctx: OpContext): Response {
  const identity = requireIdentity(ctx, "id");
  identity.identityStatus = "UNREGISTERED";
  identity.attributes["cloudStatus"] = "UNREGISTERED";
  identity.modified = new Date(ctx.now).toISOString();
  ctx.state.resets.push({ at: ctx.now, identityId: identity.id });
  return new Response(null, { status: 202 });
}

export function synchronizeAttributes(ctx: OpContext): Response {
  const identity = requireIdentity(ctx, "identityId");
  const last = ctx.lastSync.get(identity.id);
  const interval = ctx.options.syncIntervalMs;
  if (last !== undefined && ctx.now - last < interval) {
    const wait = Math.max(1, Math.ceil((last + interval - ctx.now) / 1000));
    throw new SandboxError(
      429,
      `Attribute synchronization for identity ${identity.id} is limited to once per ${interval / 1000} seconds`,
      {
        "retry-after": String(wait),
      },
    );
  }
  ctx.lastSync.set(identity.id, ctx.now);
  const jobId = ctx.rng.uuid();
  ctx.state.syncs.push({ at: ctx.now, identityId: identity.id, jobId });
  // No endpoint reads the job back; its effect shows on the identity (processing state, last refresh), and
  // the task list carries it as a CLOUD_ATTRIBUTE_SYNCHRONIZATION task with an id of its own.
  startTask(
    ctx.state,
    ctx.rng,
    ctx.options,
    ctx.now,
    {
      type: "QUEUED_TASK",
      definitionType: "CLOUD_ATTRIBUTE_SYNCHRONIZATION",
      uniqueName: "Identity Attribute Synchronization",
      description: "Synchronizes an identity's attributes from its sources",
      launcher: "idn:identity:sync",
      target: { type: "IDENTITY", id: identity.id, name: identity.name },
      identityIds: [identity.id],
      effect: "refresh",
    },
    ctx.taskError,
  );
  return json(202, {
    id: jobId,
    status: "QUEUED",
    payload: { type: "SYNCHRONIZE_IDENTITY_ATTRIBUTES", dataJson: JSON.stringify({ identityId: identity.id }) },
  });
}

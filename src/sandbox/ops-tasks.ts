// The task-starting operations with request bodies: invite, send password-reset email, process.
import type { OpContext } from "./context.js";
import { badRequest, json } from "./errors.js";
import { requireIdentity } from "./ops-read.js";
import { startTask, taskStatusBody } from "./tasks.js";

function jsonObject(body: string): Record<string, unknown> {
  if (body.trim() === "") throw badRequest("The request body is required.");
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw badRequest("The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw badRequest("The request body must be a JSON object.");
  return parsed as Record<string, unknown>;
}

function stringArray(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
    throw badRequest(`"${field}" must be an array of strings.`);
  return value;
}

/** Ids in a body that name no identity are a bad request (the URL itself names nothing missing). */
function requireKnown(ctx: OpContext, ids: readonly string[], field: string): void {
  const unknown = ids.filter((id) => !ctx.state.identities.has(id));
  if (unknown.length > 0) {
    const shown = unknown
      .slice(0, 5)
      .map((id) => `"${id}"`)
      .join(", ");
    throw badRequest(
      `"${field}" names ${unknown.length} unknown identit${unknown.length === 1 ? "y" : "ies"}: ${shown}${unknown.length > 5 ? ", ..." : ""}`,
    );
  }
}

export function startInvite(ctx: OpContext): Response {
  const body = jsonObject(ctx.body);
  const ids = body["ids"] === undefined || body["ids"] === null ? null : stringArray(body["ids"], "ids");
  if (body["uninvited"] !== undefined && typeof body["uninvited"] !== "boolean")
    throw badRequest(`"uninvited" must be a boolean.`);
  const uninvited = body["uninvited"] === true;
  if ((ids === null || ids.length === 0) && !uninvited)
    throw badRequest(`"ids" is required when "uninvited" is false.`);
  if (ids) requireKnown(ctx, ids, "ids");
  // Only unregistered identities get an email; `uninvited` takes up to 1000 of them when no ids are given.
  const targets =
    ids && ids.length > 0
      ? ids.filter((id) => ctx.state.identities.get(id)?.identityStatus === "UNREGISTERED")
      : [...ctx.state.identities.values()]
          .filter((i) => i.identityStatus === "UNREGISTERED")
          .slice(0, 1000)
          .map((i) => i.id);
  const task = startTask(
    ctx.state,
    ctx.rng,
    ctx.options,
    ctx.now,
    {
      type: "QUEUED_TASK",
      definitionType: "CLOUD_SEND_INVITATIONS",
      uniqueName: "Cloud Send Invitations",
      description: "Send registration invitations to unregistered identities",
      launcher: "idn:identity:invite",
      attributes: { identityCount: targets.length },
      identityIds: targets,
      effect: "none",
    },
    ctx.taskError,
  );
  ctx.state.invites.push({ at: ctx.now, ids: ids && ids.length > 0 ? [...ids] : null, uninvited, taskId: task.id });
  return json(202, taskStatusBody(task, ctx.now));
}

const VIA = ["EMAIL_WORK", "EMAIL_PERSONAL", "LINK_WORK", "LINK_PERSONAL"];

export function sendVerification(ctx: OpContext): Response {
  const identity = requireIdentity(ctx, "id");
  const body = jsonObject(ctx.body);
  const via = body["via"];
  if (typeof via !== "string" || !VIA.includes(via))
    throw badRequest(`"via" is required and must be one of ${VIA.join(", ")}.`);
  const sourceName = body["sourceName"] ?? null;
  if (sourceName !== null && typeof sourceName !== "string") throw badRequest(`"sourceName" must be a string or null.`);
  if (via.endsWith("_WORK") && identity.emailAddress === null)
    throw badRequest(`Identity "${identity.id}" has no work email address.`);
  ctx.state.verificationSends.push({ at: ctx.now, identityId: identity.id, via, sourceName });
  return new Response(null, { status: 200 });
}

export function startProcessing(ctx: OpContext): Response {
  const body = jsonObject(ctx.body);
  const ids = stringArray(body["identityIds"], "identityIds");
  if (ids.length < 1 || ids.length > 250) throw badRequest(`"identityIds" must hold 1 to 250 ids, got ${ids.length}.`);
  requireKnown(ctx, ids, "identityIds");
  const only = ids.length === 1 ? ctx.state.identities.get(ids[0] as string) : undefined;
  const task = startTask(
    ctx.state,
    ctx.rng,
    ctx.options,
    ctx.now,
    {
      type: "QUEUED_TASK",
      definitionType: "IDENTITY_REFRESH",
      uniqueName: "Identity Refresh",
      description: "Refreshes identities",
      launcher: "idn:identity:process",
      ...(only ? { target: { type: "IDENTITY" as const, id: only.id, name: only.name } } : {}),
      attributes: { identityCount: ids.length },
      identityIds: [...ids],
      effect: "refresh",
    },
    ctx.taskError,
  );
  ctx.state.processed.push({ at: ctx.now, identityIds: [...ids], taskId: task.id });
  // `name` is "always null" per its description, but the schema types it as a plain string: leave it out.
  return json(202, { type: "TASK_RESULT", id: task.id });
}

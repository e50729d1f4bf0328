// Reads what a guarded call would touch and renders it, quoting every value from ISC as data, never as our own words.
import { asIdentity, summarize, type IdentitySummary } from "../views/identity.js";
import { IscError } from "../core/errors.js";
import { quoted } from "../core/quote.js";
import { readOwnershipResponse, type OwnedObject } from "../views/ownership.js";
import { apiPath } from "../isc/paths.js";
import type { ToolContext } from "../mcp/tool-context.js";

export type PreviewSpec =
  /** One identity: read it (and for deletes, what blocks deletion). */
  | { kind: "identity"; identityId: string; deletion?: boolean; check?: (identity: IdentitySummary) => string | undefined }
  /** Many identities named by id: the count is the blast radius. */
  | { kind: "count"; count: number }
  /** Every unregistered identity (invite with `uninvited: true`). */
  | { kind: "unregistered" };

export interface Preview {
  /** Our description of the action. */
  action: string;
  identity?: IdentitySummary;
  count?: number;
  /** Reasons the action cannot succeed; non-empty means refuse without asking. */
  blockers: string[];
  /** What must not change between preview and action. */
  fingerprint: string;
}

/** ISC's invite with `uninvited: true` takes at most this many identities. */
export const INVITE_ALL_LIMIT = 1000;

export function fingerprintOf(identity: IdentitySummary): string {
  const { id, name, alias, email, status, lifecycleState } = identity;
  return JSON.stringify([id, name, alias, email, status, lifecycleState]);
}

export async function readIdentity(ctx: ToolContext, identityId: string): Promise<IdentitySummary> {
  const res = await ctx.request("GET", apiPath`identities/${identityId}`);
  return summarize(asIdentity(res.data, "GET /identities/{id}"));
}

/** One owned object as a blocker line, ISC's names quoted. */
export function ownedBlocker(o: OwnedObject): string {
  return `owns ${o.associationType}${o.type ? ` ${o.type}` : ""} ${quoted(o.name ?? "(no name)")}${o.id ? ` (id ${quoted(o.id)})` : ""}`;
}

async function deletionBlockers(ctx: ToolContext, identityId: string): Promise<string[]> {
  const owned = readOwnershipResponse((await ctx.request("GET", apiPath`identities/${identityId}/ownership`)).data, "GET /identities/{identityId}/ownership");
  const blockers = owned.map(ownedBlocker);
  const prot = await ctx.request<unknown[]>("GET", "identities", {
    searchParams: { filters: `id eq "${identityId}" and protected eq true`, defaultFilter: "NONE", limit: 1 },
  });
  if (Array.isArray(prot.data) && prot.data.length > 0) blockers.unshift("is a protected identity");
  return blockers;
}

export async function readPreview(ctx: ToolContext, spec: PreviewSpec, action: string): Promise<Preview> {
  switch (spec.kind) {
    case "identity": {
      const identity = await readIdentity(ctx, spec.identityId);
      const blockers = spec.deletion ? await deletionBlockers(ctx, spec.identityId) : [];
      const problem = spec.check?.(identity);
      if (problem) blockers.push(problem);
      return { action, identity, blockers, fingerprint: fingerprintOf(identity) };
    }
    case "count":
      return { action, count: spec.count, blockers: [], fingerprint: `count:${spec.count}` };
    case "unregistered": {
      const res = await ctx.request("GET", "identities", {
        searchParams: { filters: 'cloudStatus eq "UNREGISTERED"', defaultFilter: "NONE", count: true, limit: 1 },
      });
      const total = Number(res.headers.get("x-total-count"));
      if (!Number.isFinite(total)) throw new IscError({ kind: "bad_response", message: "ISC did not say how many identities are unregistered (no X-Total-Count)." });
      // The count may move while the human decides; the confirmation is for "every unregistered identity".
      return { action, count: Math.min(total, INVITE_ALL_LIMIT), blockers: [], fingerprint: "unregistered" };
    }
  }
}

/** Reads the target again right before acting; undefined when it is gone. */
export async function currentFingerprint(ctx: ToolContext, spec: PreviewSpec): Promise<string | undefined> {
  if (spec.kind !== "identity") return spec.kind === "count" ? `count:${spec.count}` : "unregistered";
  try {
    return fingerprintOf(await readIdentity(ctx, spec.identityId));
  } catch (err) {
    if (err instanceof IscError && err.status === 404) return undefined;
    throw err;
  }
}

/** The preview as lines: our sentence first, then ISC's values, each quoted. */
export function renderPreview(p: Preview): string {
  const lines = [`Action: ${p.action}`];
  if (p.identity) {
    const i = p.identity;
    lines.push("Identity (values quoted as ISC returned them):");
    lines.push(`  name: ${quoted(i.name)}`);
    if (i.alias !== undefined) lines.push(`  alias: ${quoted(i.alias)}`);
    lines.push(`  email: ${i.email !== undefined ? quoted(i.email) : "(none)"}`);
    if (i.status !== undefined) lines.push(`  status: ${quoted(i.status)}`);
    if (i.lifecycleState !== undefined) lines.push(`  lifecycle state: ${quoted(i.lifecycleState)}`);
    lines.push(`  id: ${quoted(i.id)}`);
  }
  if (p.count !== undefined) lines.push(`Identities affected: ${p.count}`);
  return lines.join("\n");
}

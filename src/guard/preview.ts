// Reads what a guarded call would touch and renders it, quoting every value from ISC as data, never as our own words.
import { asIdentity, summarize, type IdentitySummary } from "../views/identity.js";
import { IscError } from "../core/errors.js";
import { quoted } from "../core/quote.js";
import type { IscRead } from "../isc/body.js";
import { apiPath } from "../isc/paths.js";
import { ANY_BODY } from "../isc/any-body.js";
import type { PreviewSpec } from "./plan.js";

export interface Preview {
  /** Our description of the action. */
  action: string;
  identity?: IdentitySummary;
  count?: number;
  /** Mass actions: the distinct identities this tool touched on this tenant within the window, this call included. */
  window?: { count: number; minutes: number };
  /** Reasons the action cannot succeed; non-empty means refuse without asking. */
  blockers: string[];
  /** What must not change between preview and action. */
  fingerprint: string;
}

export function fingerprintOf(identity: IdentitySummary): string {
  const { id, name, alias, email, status, lifecycleState } = identity;
  return JSON.stringify([id, name, alias, email, status, lifecycleState]);
}

export async function readIdentity(read: IscRead, id: string): Promise<IdentitySummary> {
  const res = await read("GET", apiPath`identities/${id}`, ANY_BODY);
  return summarize(asIdentity(res.data, "GET /identities/{id}"));
}

export async function readPreview(read: IscRead, spec: PreviewSpec, action: string): Promise<Preview> {
  switch (spec.kind) {
    case "identity": {
      const identity = await readIdentity(read, spec.id);
      const blockers = spec.blockers ? await spec.blockers(identity, read) : [];
      return { action, identity, blockers, fingerprint: fingerprintOf(identity) };
    }
    case "count": {
      const count = typeof spec.count === "number" ? spec.count : await spec.count(read);
      return { action, count, blockers: [], fingerprint: spec.fingerprint ?? `count:${count}` };
    }
  }
}

/** Reads the target again right before acting; undefined when it is gone. Counts are confirmed as previewed. */
export async function currentFingerprint(
  read: IscRead,
  spec: PreviewSpec,
  previewed: Preview,
): Promise<string | undefined> {
  if (spec.kind !== "identity") return previewed.fingerprint;
  try {
    return fingerprintOf(await readIdentity(read, spec.id));
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
  if (p.window && p.window.count > (p.count ?? 0)) {
    lines.push(
      `With earlier calls: ${p.window.count} identities in the last ${p.window.minutes} min (batches add up).`,
    );
  }
  return lines.join("\n");
}

// The route table (11 Identities operations, task status) shared by every API version, and the matcher over raw paths.
import type { Operation } from "./context.js";
import { SandboxError, badRequest } from "./errors.js";
import { getIdentity, getOwnershipDetails, getRoleAssignment, getRoleAssignments, listIdentities } from "./ops-read.js";
import { sendVerification, startInvite, startProcessing } from "./ops-tasks.js";
import { deleteIdentity, resetIdentity, synchronizeAttributes } from "./ops-write.js";
import { getTaskStatus, listTaskStatus } from "./ops-task-status.js";

interface Route {
  method: string;
  segments: string[];
  op: Operation;
  experimental: boolean;
}

const route = (method: string, template: string, op: Operation, experimental = false): Route => ({
  method,
  segments: template.split("/").filter(Boolean),
  op,
  experimental,
});

/** Literal routes come before parameter routes, so `/identities/invite` is never read as an id. */
const ROUTES: readonly Route[] = [
  route("GET", "/identities", listIdentities),
  route("POST", "/identities/invite", startInvite, true),
  route("POST", "/identities/process", startProcessing, true),
  route("GET", "/identities/:id", getIdentity),
  route("DELETE", "/identities/:id", deleteIdentity),
  route("GET", "/identities/:identityId/ownership", getOwnershipDetails),
  route("POST", "/identities/:id/reset", resetIdentity),
  route("GET", "/identities/:identityId/role-assignments", getRoleAssignments),
  route("GET", "/identities/:identityId/role-assignments/:assignmentId", getRoleAssignment),
  route("POST", "/identities/:identityId/synchronize-attributes", synchronizeAttributes, true),
  route("POST", "/identities/:id/verification/account/send", sendVerification, true),
  route("GET", "/task-status", listTaskStatus),
  route("GET", "/task-status/:id", getTaskStatus),
];

export const YEAR_VERSIONS = new Set(["v2024", "v2025", "v2026"]);
/** The per-resource APIs this tenant serves as `/{resource}/v1/...`. */
const V1_RESOURCES = new Set(["identities", "task-status"]);

/**
 * One model, four shapes: `/v2025/identities/x` and `/identities/v1/x` both become ["identities", "x"]
 * with their version, so every operation is written once. Anything else is not an API path (undefined).
 */
export function splitVersion(segments: readonly string[]): { version: string; rest: string[] } | undefined {
  const [first = "", second, ...more] = segments;
  if (YEAR_VERSIONS.has(first)) return { version: first, rest: segments.slice(1) };
  if (second === "v1" && V1_RESOURCES.has(first)) return { version: "v1", rest: [first, ...more] };
  return undefined;
}

export interface Match {
  op: Operation;
  experimental: boolean;
  params: Record<string, string>;
}

/** Matches the raw path segments after the version prefix; throws 404/405 as the gateway would. */
export function matchRoute(method: string, rawSegments: readonly string[]): Match {
  const allowed = new Set<string>();
  for (const r of ROUTES) {
    if (r.segments.length !== rawSegments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < r.segments.length && ok; i++) {
      const want = r.segments[i] as string;
      const have = rawSegments[i] as string;
      if (want.startsWith(":")) {
        if (have === "") ok = false;
        else params[want.slice(1)] = decodeSegment(have);
      } else ok = want === have;
    }
    if (!ok) continue;
    // A literal route that matched in shape but not method must not shadow the parameter route.
    if (r.method === method) return { op: r.op, experimental: r.experimental, params };
    allowed.add(r.method);
  }
  if (allowed.size > 0) {
    throw new SandboxError(405, `Method ${method} is not allowed here; allowed: ${[...allowed].join(", ")}`, {
      allow: [...allowed].join(", "),
    });
  }
  throw new SandboxError(404, "");
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`Malformed percent-encoding in path segment "${segment}".`);
  }
}

// The one place that knows how each API version spells a path and which operations need the experimental header.
import type { ApiVersion } from "../config/options.js";

/**
 * Tools speak version-free paths ("identities/{id}", "task-status/{id}"). Year versions put the version
 * first (/v2025/identities/{id}); the per-resource APIs put it after the resource (/identities/v1/{id}).
 */
export function versionedPath(version: ApiVersion, path: string): string {
  if (version !== "v1") return `${version}/${path}`;
  const slash = path.indexOf("/");
  return slash < 0 ? `${path}/v1` : `${path.slice(0, slash)}/v1${path.slice(slash)}`;
}

interface Operation {
  method: string;
  template: string;
  /** Marked experimental by the v1 spec (it requires `X-SailPoint-Experimental: true`). */
  experimental: boolean;
  /** The template's segments, a parameter ("{id}") as undefined: split once, not on every request. */
  segments: ReadonlyArray<string | undefined>;
}

const op = (method: string, template: string, experimental = false): Operation => ({
  method,
  template,
  experimental,
  segments: template.split("/").map((s) => (s.startsWith("{") ? undefined : s)),
});

/** Every operation the tools call, in version-free form; literal segments before parameters (invite is not an id). */
const OPERATIONS: readonly Operation[] = [
  op("GET", "identities"),
  op("POST", "identities/invite", true),
  op("POST", "identities/process", true),
  op("GET", "identities/{id}"),
  op("DELETE", "identities/{id}"),
  op("GET", "identities/{identityId}/ownership"),
  op("POST", "identities/{id}/reset"),
  op("GET", "identities/{identityId}/role-assignments"),
  op("GET", "identities/{identityId}/role-assignments/{assignmentId}"),
  op("POST", "identities/{identityId}/synchronize-attributes", true),
  op("POST", "identities/{id}/verification/account/send", true),
  op("GET", "task-status"),
  op("GET", "task-status/{id}"),
];

/** The operation a version-free path belongs to, or undefined for a path no tool calls. */
export function operationOf(method: string, path: string): Operation | undefined {
  const have = path.split("/");
  return OPERATIONS.find(
    (o) =>
      o.method === method &&
      o.segments.length === have.length &&
      o.segments.every((w, i) => w === undefined || w === have[i]),
  );
}

/**
 * Year versions: on every call (SailPoint documents it as harmless, and all 11 operations needed it once).
 * v1: only where the spec marks the operation experimental (process, sync, invite, send).
 */
export function needsExperimentalHeader(version: ApiVersion, method: string, path: string): boolean {
  return version !== "v1" || operationOf(method, path)?.experimental === true;
}

/**
 * "/v2025/identities/{id}": the route of a request with its ids named, for telemetry. A path no tool calls is never
 * spelled out (it could hold an id): it reads "/{unlisted}".
 */
export function routeTemplate(version: ApiVersion, method: string, path: string): string {
  const template = operationOf(method, path)?.template;
  return template === undefined ? "/{unlisted}" : `/${versionedPath(version, template)}`;
}

/** "GET /v2025/identities/{id}": a path with its ids replaced by the template's names, for once-per-path notices. */
export function pathTemplate(version: ApiVersion, method: string, path: string): string {
  return `${method} /${versionedPath(version, operationOf(method, path)?.template ?? path)}`;
}

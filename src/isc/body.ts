// ISC's answers checked at the boundary: a request names the zod schema of the body it expects and gets parsed data or a clear error.
import type { z } from "zod";
import { IscError } from "../core/errors.js";
import { versionedPath } from "./api-paths.js";
import type { IscClient, IscResponse, Method, RequestOptions } from "./client.js";

type Options = Omit<RequestOptions, "signal">;

/** GET only (`body` described, e.g. `.describe("a list")`, names what was expected in the error): what a read tool's handler and a guard's preview may do. */
export type IscRead = <S extends z.ZodType>(
  method: "GET",
  path: string,
  body: S,
  options?: Options,
) => Promise<IscResponse<z.output<S>>>;

/** Any method: handed only to a write tool's `act`, by the guard, after the guard said yes. */
export type IscWrite = <S extends z.ZodType>(
  method: Method,
  path: string,
  body: S,
  options?: Options,
) => Promise<IscResponse<z.output<S>>>;

/**
 * The body parsed with `schema`, or an IscError of kind "bad_response" that keeps the HTTP status: a 2xx
 * status there means ISC did act (the guard reads it that way), only its answer was not what we expected.
 */
export function checkBody<S extends z.ZodType>(
  res: IscResponse,
  schema: S,
  method: Method,
  where: string,
): IscResponse<z.output<S>> {
  const parsed = schema.safeParse(res.data);
  if (parsed.success) return { ...res, data: parsed.data };
  // Paths and zod's wording only: zod 4 messages name the expected type, never the received value.
  const issue = parsed.error.issues[0];
  const at = issue && issue.path.length > 0 ? ` at ${issue.path.map(String).join(".").slice(0, 80)}` : "";
  // The schema's description names what was expected ("a list of role assignments").
  const what = schema.description ?? "the expected body";
  throw new IscError({
    kind: "bad_response",
    method,
    path: where,
    status: res.status,
    message: `ISC returned something that is not ${what} from ${method} /${where} (an unexpected body, HTTP ${res.status}${at}: ${issue?.message ?? "no match"}).`,
  });
}

/** `isc.request` bound to a call's signal, every body checked. */
export function writerFor(isc: IscClient, signal: AbortSignal): IscWrite {
  return async (method, path, body, options) =>
    checkBody(
      await isc.request(method, path, { ...options, signal }),
      body,
      method,
      versionedPath(isc.apiVersion, path),
    );
}

/** The same, refusing anything but GET even if a caller bypasses the type. */
export function readerFor(isc: IscClient, signal: AbortSignal): IscRead {
  return readOnly(writerFor(isc, signal));
}

/** A read-only view of a writer a caller already holds (one handle fewer per call than a second `writerFor`). */
export function readOnly(write: IscWrite): IscRead {
  return async (method, path, body, options) => {
    if (method !== "GET")
      throw new Error(`a read-only ISC handle was asked for ${String(method)} /${path}: writes go through the guard`);
    return write("GET", path, body, options);
  };
}

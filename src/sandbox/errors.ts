// The sandbox's one error type, and the one place that turns it into a spec-shaped response.
import type { Rng } from "./prng.js";

/** ISC's detail codes for the statuses whose body is an ErrorResponseDto. */
const DETAIL: Record<number, [code: string, text: string]> = {
  400: ["400.1 Bad Request Content", "The request was syntactically correct but its content is semantically invalid."],
  403: ["403 Forbidden", "The server understood the request but refuses to authorize it."],
  404: ["404 Not found", "The server did not find a current representation for the target resource."],
  405: ["405 Method Not Allowed", "The method is not allowed for the target resource."],
  409: ["409 Conflict", "The request conflicts with the current state of the target resource."],
  500: ["500.0 Internal Fault", "An internal fault occurred."],
  502: ["502 Bad Gateway", "The gateway received an invalid response from the upstream server."],
  503: ["503 Service Unavailable", "The service is temporarily unavailable."],
  504: ["504 Gateway Timeout", "The gateway did not receive a timely response from the upstream server."],
};

export class SandboxError extends Error {
  constructor(
    readonly status: number,
    /** The text of the error; the default text for the status when empty. */
    message = "",
    readonly headers: Record<string, string> = {},
    /** A body that replaces the generated one (e.g. IdentityAssociationDetails). */
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export const badRequest = (text: string): SandboxError => new SandboxError(400, text);
export const notFound = (text = ""): SandboxError => new SandboxError(404, text);

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...headers, "content-type": "application/json" } });
}

/** The spec's error body for a status: `{error}` for 401, `{message}` for 429, ErrorResponseDto otherwise. */
export function errorBody(status: number, text: string, rng: Rng): unknown {
  if (status === 401) return { error: text || "JWT validation failed: JWT is expired" };
  if (status === 429) return { message: text || "Rate Limit Exceeded" };
  const [code, defaultText] = DETAIL[status] ?? [`${status} Error`, "An error occurred."];
  return {
    detailCode: code,
    trackingId: rng.hex32(),
    messages: [{ locale: "en-US", localeOrigin: "DEFAULT", text: text || defaultText }],
  };
}

export function errorResponse(error: SandboxError, rng: Rng): Response {
  // A body of null: the spec documents this error without one (e.g. task status 404).
  if (error.body === null) return new Response(null, { status: error.status, headers: error.headers });
  return json(error.status, error.body ?? errorBody(error.status, error.message, rng), error.headers);
}

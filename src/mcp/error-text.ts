// Turns any failure into the text a model reads: what failed, ISC's words and trackingId, and the next step. Never a stack or a secret.
import { IscError, ToolFailure } from "../core/errors.js";
import { redact } from "../core/log.js";

export interface ErrorTextTool {
  name: string;
  kind: "read" | "write" | "destructive";
  rights: string;
  /** The tool's own next step for an ISC status, instead of the generic one. */
  errorHints?: Readonly<Partial<Record<number, string>>>;
  /** A write's way to check whether it happened, from its plan (e.g. "get_identity with identityId …"). */
  verify?: string;
}

function nextStep(err: IscError, tool: ErrorTextTool): string {
  const write = tool.kind !== "read";
  switch (err.kind) {
    case "invalid_input":
      return "Correct the argument and call again.";
    case "rate_limited":
      return `ISC is rate limiting this client: retry after ${err.retryAfterSeconds ?? 10} s.`;
    case "timeout":
    case "deadline":
      // The message already says "nothing was changed" or "the write may have happened"; this says what to do about it.
      return write && err.mayHaveActed
        ? `Check with ${tool.verify ?? "get_identity"} before calling again; call again only if it did not happen.`
        : "Retry the call; if it keeps failing, ISC may be unavailable.";
    case "network":
      return write
        ? `The action may or may not have happened: check with ${tool.verify ?? "get_identity"} before calling again.`
        : "Retry the call; if it keeps failing, ISC may be unavailable.";
    case "cancelled":
      // Where the request stood is known: one that never left changed nothing; one that may have reached ISC is checked with the tool's own read.
      if (!write || err.mayHaveActed === false) return "Call again if the result is still needed.";
      return `The action may or may not have happened: check with ${tool.verify ?? "get_identity"} before calling again.`;
    case "auth":
      // A refusal (4xx) is configuration; an outage or garbage from the token endpoint may pass. Either way nothing reached ISC's API.
      return err.status !== undefined && err.status < 500
        ? "The server's credentials need fixing by whoever runs it; retrying will not help."
        : "Nothing was sent to ISC. Retry in a little while; if it keeps failing, whoever runs the server should check SAIL_BASE_URL and the credentials.";
    case "bad_response":
      return write
        ? "The action may have happened: check with get_identity."
        : "Retry once; if it repeats, report the trackingId to the tenant's administrators.";
    case "http":
      break;
  }
  const hint = err.status !== undefined ? tool.errorHints?.[err.status] : undefined;
  if (hint) return hint;
  switch (err.status) {
    case 400:
      return "Fix the arguments and call again.";
    case 401:
      return "ISC rejected the server's token even after a refresh: the credentials need fixing by whoever runs the server.";
    case 403:
      return `The personal access token lacks the rights for ${tool.name}: it needs ${tool.rights}. Ask an ISC admin to grant the token those scopes, or its owner that user level; retrying will not help.`;
    case 404:
      return "No such identity or assignment: find the right id with list_identities (or get_role_assignments for assignment ids).";
    default:
      if (err.status !== undefined && err.status >= 500) {
        return write
          ? "ISC failed: the action may or may not have happened. Check with get_identity before calling again."
          : "ISC failed: retry in a little while.";
      }
      return "Check the arguments and call again.";
  }
}

/** The model-facing text of a failed tool call. */
export function errorToText(err: unknown, tool: ErrorTextTool): string {
  if (err instanceof ToolFailure) return redact(err.message);
  if (err instanceof IscError) {
    const lines = [`${tool.name} failed. ${err.message}`];
    if (err.trackingId) lines.push(`ISC trackingId: ${err.trackingId}`);
    lines.push(`Next step: ${nextStep(err, tool)}`);
    return redact(lines.join("\n"));
  }
  // A bug on our side: say so plainly, without a stack.
  const message = err instanceof Error ? err.message : String(err);
  return redact(
    `${tool.name} failed with an internal error: ${message}. This is a bug in isc-identities-mcp; nothing more is known.`,
  );
}

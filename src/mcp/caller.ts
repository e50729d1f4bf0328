// Who calls over HTTP with sign-in: the person (for the audit line) and the tool kinds their token's scopes allow.
import type { AuthInfo } from "@modelcontextprotocol/server";
import type { Actor } from "../guard/index.js";
import type { ToolKind } from "./define-tool.js";

export interface Caller {
  actor: Actor;
  /** The kinds of tool this person may call; a tool of another kind is neither listed nor run. */
  kinds: readonly ToolKind[];
}

/** The HTTP sign-in puts the caller in `AuthInfo.extra.caller`; stdio and the static HTTP token have none (every selected tool). */
export function callerOf(auth: AuthInfo | undefined): Caller | undefined {
  const caller = auth?.extra?.caller as Caller | undefined;
  return caller && typeof caller.actor?.sub === "string" && Array.isArray(caller.kinds) ? caller : undefined;
}

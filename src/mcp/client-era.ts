// Per request: which protocol era the client speaks, who it says it is, and which elicitation it declared (at initialize, or in this request).
import type { Server, ServerContext } from "@modelcontextprotocol/server";
import type { HostInfo } from "../guard/host-watch.js";

/** The protocol version whose requests carry the client's details in each request's `_meta` (no initialize). */
export const MODERN_ERA = "2026-07-28";

/** The reserved `_meta` keys of a 2026-era request, as the SDK lifts them into `ctx.mcpReq.envelope`. */
interface Envelope {
  "io.modelcontextprotocol/protocolVersion"?: string;
  "io.modelcontextprotocol/clientInfo"?: { name?: string; version?: string };
  "io.modelcontextprotocol/clientCapabilities"?: Record<string, unknown>;
}

export interface ClientEra {
  /** The protocol version of this request: the envelope's for a 2026-era request, else the one initialize negotiated. */
  version: string | undefined;
  modern: boolean;
  /** The client's name and version: from the envelope (2026) or initialize (2025). */
  host: HostInfo | undefined;
  /** The elicitation a confirmation may use for this request. */
  elicitation: { form: boolean; url: boolean };
}

/**
 * A 2025-era request is answered on a connection whose initialize declared the client's capabilities; a 2026-era one
 * carries them in its own envelope, request by request. Either way a confirmation is an input request returned from the
 * call (mcp/legacy-rounds.ts sends it as an elicitation/create on a 2025 connection), so what the client declared is
 * what it gets: form and URL where declared, for this request. tools/list reads the same facts, so under strict the tools
 * that always confirm are listed exactly to the requests that could confirm them.
 */
export function clientEra(server: Server, ctx: ServerContext): ClientEra {
  const envelope = ctx.mcpReq.envelope as Envelope | undefined;
  const claimed = envelope?.["io.modelcontextprotocol/protocolVersion"];
  if (claimed !== undefined) {
    const info = envelope?.["io.modelcontextprotocol/clientInfo"];
    const host =
      typeof info?.name === "string" && typeof info.version === "string"
        ? { name: info.name, version: info.version }
        : undefined;
    return {
      version: claimed,
      modern: true,
      host,
      elicitation: elicitationOf(envelope?.["io.modelcontextprotocol/clientCapabilities"]),
    };
  }
  // Deprecated for 2026 requests only; on a 2025 connection it is the initialize-negotiated version (the SDK's own advice).
  // A 2025 request served without a session (--stateless) reached a server no initialize did: its HTTP header names it.
  const version =
    server.getNegotiatedProtocolVersion() ?? ctx.http?.req?.headers.get("mcp-protocol-version") ?? undefined;
  return {
    version,
    modern: false,
    host: server.getClientVersion(),
    elicitation: elicitationOf(server.getClientCapabilities()),
  };
}

/** What a client declared: `elicitation.form` / `.url`; an empty `elicitation: {}` (older clients) means form, as the SDK reads it. */
function elicitationOf(capabilities: Record<string, unknown> | undefined): { form: boolean; url: boolean } {
  const e = capabilities?.elicitation as { form?: unknown; url?: unknown } | undefined;
  return { form: Boolean(e) && (Boolean(e?.form) || !e?.url), url: Boolean(e?.url) };
}

// The in-memory harness in each protocol era, for describe.each: the same server side, sdk 1.32's client (2025-11-25) or the v2 client pinned to 2026-07-28.
import { startHarness, type Harness, type HarnessOptions } from "./harness.js";
import { startModernHarness, MODERN } from "./modern-harness.js";

/** What both eras' harnesses offer; `client` is whichever era's client, for the calls both spell the same way. */
export interface EraHarness extends Omit<Harness, "client"> {
  client: {
    readResource(params: { uri: string }): Promise<unknown>;
    listTools(): Promise<{ tools: Array<{ name: string; outputSchema?: unknown }> }>;
  };
}

export interface Era {
  /** The protocol version the client speaks (and the audit line records). */
  era: string;
  name: string;
  start(opts?: HarnessOptions): Promise<EraHarness>;
}

export const ERAS: readonly Era[] = [
  { era: "2025-11-25", name: "2025 client (sdk 1.32)", start: (opts) => startHarness(opts) },
  {
    era: MODERN,
    name: "2026 client (v2, pinned to 2026-07-28)",
    // The 2025 harness hands a form's answerer (message, schema); the 2026 one the input request's params.
    start: ({ onElicit, ...opts } = {}) =>
      startModernHarness({
        ...opts,
        ...(onElicit ? { onElicit: (p) => onElicit(p.message, p.requestedSchema) as never } : {}),
      }),
  },
];

/** A JSON-RPC error as either era's client throws it (sdk 1.x's McpError, v2's ProtocolError), as plain fields: the
 * message as the server sent it (sdk 1.x prefixes "MCP error <code>: " on the client side). */
export async function protocolError(p: Promise<unknown>): Promise<{ code: unknown; message: string; data: unknown }> {
  const e = await p.then(
    (r) => {
      throw new Error(`resolved, not rejected: ${JSON.stringify(r).slice(0, 200)}`);
    },
    (err: unknown) => err as { code?: unknown; message?: string; data?: unknown },
  );
  return { code: e.code, message: (e.message ?? "").replace(/^MCP error -?\d+: /, ""), data: e.data };
}

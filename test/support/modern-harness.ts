// The 2026-07-28 twin of harness.ts: the same server side, served as stdio serves it (both eras), to the SDK's v2 client pinned to 2026-07-28, in memory.
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { createLogger } from "../../src/core/log.js";
import { serveStdioBothEras } from "../../src/transports/stdio.js";
import { startServerSide, type Harness, type HarnessOptions } from "./harness.js";

export const MODERN = "2026-07-28";

/** What the client answers to one input request it is handed (an elicitation/create, form or URL). */
export type ModernAnswer = (params: {
  mode?: string;
  message: string;
  url?: string;
  requestedSchema?: unknown;
}) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface ModernHarness extends Omit<Harness, "client"> {
  client: Client;
  /** `tools/call` returning the input-required result itself (manual multi-round-trip mode), to replay or alter its state. */
  callRaw(
    name: string,
    args: Record<string, unknown>,
    retry?: { requestState?: string; inputResponses?: Record<string, unknown> },
  ): Promise<Record<string, unknown>>;
}

export interface ModernHarnessOptions extends Omit<HarnessOptions, "onElicit"> {
  /** When given, the client declares `capabilities` (default: form elicitation) and answers each input request with it. */
  onElicit?: ModernAnswer;
}

export async function startModernHarness(opts: ModernHarnessOptions = {}): Promise<ModernHarness> {
  const { onElicit, ...rest } = opts;
  const { sandbox, backend, audit, auditLog, server } = await startServerSide(rest);
  const capabilities = opts.capabilities ?? (onElicit ? { elicitation: { form: {} } } : {});
  const client = new Client(
    { name: "modern-test-client", version: "2.0.0" },
    { capabilities: capabilities as never, versionNegotiation: { mode: { pin: MODERN } } },
  );
  if (onElicit)
    client.setRequestHandler("elicitation/create", async (req) => (await onElicit(req.params as never)) as never);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();

  const served = serveStdioBothEras(() => server, createLogger("silent"), serverSide as never);
  await client.connect(clientSide);
  return {
    client,
    sandbox,
    backend,
    audit,
    call: async (name, args = {}, options) =>
      (await client.callTool({ name, arguments: args }, options)) as CallToolResult,
    callRaw: async (name, args, retry = {}) =>
      (await client.request(
        { method: "tools/call", params: { name, arguments: args, ...retry } } as never,
        { allowInputRequired: true } as never,
      )) as Record<string, unknown>,
    close: async () => {
      await client.close();
      await served.close();
      await backend.close();
      await auditLog.close();
    },
  };
}

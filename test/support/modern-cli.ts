// Spawns the built CLI over stdio with the SDK's v2 client pinned to protocol 2026-07-28 (the 2026-era host of the tests).
import { Client, type ElicitRequest } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { assertBuilt, CLI } from "./cli-process.js";

export const MODERN = "2026-07-28";

export interface ModernCli {
  client: Client;
  /** Everything the CLI wrote to stderr so far. */
  stderr(): string;
}

/** The 2026-era client on the CLI's stdio: what it says it is, what it declares, and how its user answers input requests. */
export interface ModernClientOptions {
  /** Sent in each request's envelope (there is no initialize in this era). */
  info?: { name: string; version: string };
  /** What the client declares in each request's envelope (e.g. form elicitation it could show). */
  capabilities?: Record<string, unknown>;
  /**
   * Answers an elicitation the server asks for: in this era a round's input request, which the client's driver hands to
   * its `elicitation/create` handler before calling again with the answer and the round's requestState.
   */
  onElicit?: (params: ElicitRequest["params"]) => Record<string, unknown> | Promise<Record<string, unknown>>;
}

export async function startModernCli(
  args: string[],
  env: Record<string, string>,
  options: ModernClientOptions = {},
): Promise<ModernCli> {
  assertBuilt();
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, ...args], env, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const client = new Client(options.info ?? { name: "modern-host", version: "2.0.0" }, {
    capabilities: options.capabilities ?? {},
    versionNegotiation: { mode: { pin: MODERN } },
  });
  const { onElicit } = options;
  if (onElicit) client.setRequestHandler("elicitation/create", async (req) => (await onElicit(req.params)) as never);
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

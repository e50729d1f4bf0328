// Spawns the built CLI over stdio with the SDK's v2 client pinned to protocol 2026-07-28 (the 2026-era host of the tests).
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { assertBuilt, CLI } from "./cli-process.js";

export const MODERN = "2026-07-28";

export interface ModernCli {
  client: Client;
  /** Everything the CLI wrote to stderr so far. */
  stderr(): string;
}

/** `capabilities`: what the client declares in each request's envelope (e.g. form elicitation it could show). */
export async function startModernCli(
  args: string[],
  env: Record<string, string>,
  capabilities: Record<string, unknown> = {},
): Promise<ModernCli> {
  assertBuilt();
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, ...args], env, stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const client = new Client(
    { name: "modern-host", version: "2.0.0" },
    { capabilities, versionNegotiation: { mode: { pin: MODERN } } },
  );
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

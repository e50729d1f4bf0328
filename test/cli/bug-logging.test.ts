// A bug in a tool (anything but an ISC failure or a refusal) is logged at error with its stack, secrets masked; the model gets no stack.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { resolveConfig } from "../../src/config/resolve.js";
import { createLogger, registerSecret } from "../../src/core/log.js";
import { connectBackend, type Backend } from "../../src/isc/connect.js";
import { defineTool } from "../../src/mcp/define-tool.js";
import { createServer } from "../../src/mcp/server.js";
import { inventoryFor } from "../support/inventory.js";
import { createAuditLog } from "../../src/guard/audit.js";
import { createSandbox } from "../../src/sandbox/index.js";
import { getIdentity } from "../../tools/get-identity.js";

const SECRET = "bug-secret-5f1e2d3c4b";
const broken = defineTool({
  name: "broken_tool",
  title: "Broken",
  description: "A tool whose handler has a bug, for this test only.",
  kind: "read",
  rights: "none",
  inputSchema: z.object({}),
  outputSchema: z.object({ ok: z.boolean() }),
  handler: async () => {
    throw new RangeError(`index 3 out of range while reading ${SECRET}`);
  },
});

const lines: string[] = [];
let client: Client;
let backend: Backend;
beforeAll(async () => {
  registerSecret(SECRET);
  const config = {
    ...resolveConfig(["--sandbox"], { ISC_MCP_API_VERSION: "v2025" }).config,
    logLevel: "info" as const,
  };
  backend = await connectBackend(config, { sandbox: createSandbox({ identities: 20, rateLimit: false }) });
  const server = createServer({
    config: backend.config,
    isc: backend.isc,
    log: createLogger("info", (l) => void lines.push(l)),
    audit: createAuditLog({ write: () => {} }),
    inventory: inventoryFor(backend.config, { tools: [broken, getIdentity], prompts: [] }),
  });
  client = new Client({ name: "bug-logging", version: "1.0.0" });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(b), client.connect(a)]);
});
afterAll(async () => {
  await client.close();
  await backend.close();
});

describe("bugs in a tool", () => {
  it("are logged once at error with their stack, the secret masked; the model reads that it is a bug, without a stack", async () => {
    const res = (await client.callTool({ name: "broken_tool", arguments: {} })) as CallToolResult;
    expect(res.isError).toBe(true);
    const text = res.content[0]?.type === "text" ? res.content[0].text : "";
    expect(text).toMatch(/^broken_tool failed with an internal error: .*This is a bug in isc-identities-mcp/);
    expect(text).not.toMatch(/\n\s+at /);
    expect(text).not.toContain(SECRET);
    const errors = lines.filter((l) => l.includes(" error: "));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^\[isc-identities-mcp\] error: tool broken_tool failed \(a bug\): RangeError: index 3 out of range while reading \*\*\*\n/,
    );
    expect(errors[0]).toMatch(/\n\s+at .*bug-logging\.test\.ts/);
    expect(lines.join("")).not.toContain(SECRET);
  });

  it("ISC failures are not logged as bugs", async () => {
    lines.length = 0;
    const res = (await client.callTool({
      name: "get_identity",
      arguments: { identityId: "0".repeat(32) },
    })) as CallToolResult;
    expect(res.isError).toBe(true);
    expect(lines.filter((l) => l.includes(" error: "))).toEqual([]);
  });
});

// Many calls at once: 200 concurrent tool calls over one stdio connection, and 50 concurrent HTTP sessions, all answered correctly.
import { afterEach, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { serveTenant, spawnCli, startStdioCli, type ServedTenant, waitForMcpUrl } from "../support/cli-process.js";

let tenant: ServedTenant | undefined;
afterEach(async () => {
  await tenant?.served.close();
  tenant = undefined;
});

type Identity = { identity: { id: string; name: string } };

describe("concurrency", () => {
  it("200 concurrent calls over one stdio connection to the built CLI, each answered with the right identity", async () => {
    tenant = await serveTenant({ identities: 250 });
    const ids = [...tenant.sandbox.state.identities.keys()].slice(0, 200);
    const cli = await startStdioCli(["--rate-limit", "0", "--log-level", "warn"], tenant.env);
    try {
      const results = (await Promise.all(
        ids.map((identityId) => cli.client.callTool({ name: "get_identity", arguments: { identityId } })),
      )) as CallToolResult[];
      results.forEach((r, i) => {
        expect(r.isError, `call ${i}`).toBeFalsy();
        const { identity } = r.structuredContent as Identity;
        expect(identity.id).toBe(ids[i]);
        expect(identity.name).toBe(tenant!.sandbox.state.identities.get(ids[i]!)!.name);
      });
      expect(tenant.sandbox.requests.filter((r) => r.path.startsWith("/v2025/"))).toHaveLength(200);
      // One token for the whole burst.
      expect(tenant.sandbox.requests.filter((r) => r.path === "/oauth/token")).toHaveLength(1);
    } finally {
      await cli.client.close();
    }
  }, 60_000);

  it("50 concurrent HTTP sessions against the built CLI each list tools and read their own identity", async () => {
    tenant = await serveTenant({ identities: 100 });
    const ids = [...tenant.sandbox.state.identities.keys()].slice(0, 50);
    const cli = spawnCli(["--http", "--port", "0", "--rate-limit", "0", "--log-level", "info"], tenant.env);
    const clients: Client[] = [];
    try {
      const url = await waitForMcpUrl(cli);
      const answers = await Promise.all(
        ids.map(async (identityId) => {
          const client = new Client({ name: "load", version: "1.0.0" });
          clients.push(client);
          await client.connect(new StreamableHTTPClientTransport(new URL(url)));
          const { tools } = await client.listTools();
          const one = (await client.callTool({ name: "get_identity", arguments: { identityId } })) as CallToolResult;
          const list = (await client.callTool({
            name: "list_identities",
            arguments: { filters: `id eq "${identityId}"`, defaultFilter: "NONE" },
          })) as CallToolResult;
          return { tools: tools.length, one, list };
        }),
      );
      answers.forEach(({ tools, one, list }, i) => {
        expect(tools).toBeGreaterThanOrEqual(5);
        expect((one.structuredContent as Identity).identity.id).toBe(ids[i]);
        expect((list.structuredContent as { items: Array<{ id: string }> }).items.map((r) => r.id)).toEqual([ids[i]]);
      });
      expect(tenant.sandbox.requests.filter((r) => r.path.startsWith("/v2025/"))).toHaveLength(100);
    } finally {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      cli.child.kill("SIGTERM");
      expect((await cli.exited).code).toBe(0);
    }
  }, 60_000);
});

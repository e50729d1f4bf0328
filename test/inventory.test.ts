// Guardrails over the whole tool inventory, seen through tools/list: names, titles, derived hints, schema shape, snapshots.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { TOOLS } from "../tools/index.js";
import { startHarness, type Harness } from "./support/harness.js";

const SNAP_DIR = new URL("./__toolsnaps__/", import.meta.url);
const UPDATE = process.env.UPDATE_TOOLSNAPS === "1";

let h: Harness;
let listed: Tool[];
beforeAll(async () => {
  h = await startHarness();
  listed = (await h.client.listTools()).tools;
});
afterAll(() => h.close());

describe("tool inventory", () => {
  it("has exactly the expected tools, in order", () => {
    expect(listed.map((t) => t.name)).toEqual([
      "list_identities",
      "get_identity",
      "get_identity_ownership_details",
      "get_role_assignments",
      "get_role_assignment",
      "get_task_status",
      "synchronize_attributes_for_identity",
      "start_identity_processing",
      "start_identities_invite",
      "send_identity_verification_account_token",
      "reset_identity",
      "delete_identity",
    ]);
  });

  it("gives every tool a title, a short description, a kind and hints derived from the kind", () => {
    for (const tool of listed) {
      const def = TOOLS.find((t) => t.name === tool.name)!;
      expect(tool.title, tool.name).toBeTruthy();
      expect(tool.description!.length, tool.name).toBeGreaterThan(20);
      expect(tool.description!.length, tool.name).toBeLessThan(300);
      expect(["read", "write", "destructive"]).toContain(def.kind);
      expect(tool.annotations).toEqual({
        readOnlyHint: def.kind === "read",
        destructiveHint: def.kind === "destructive",
        idempotentHint: def.kind === "read" ? true : def.idempotent === true,
        openWorldHint: true,
      });
    }
  });

  it("describes every argument and has no top-level anyOf/oneOf (some hosts reject those)", () => {
    for (const tool of listed) {
      const schema = tool.inputSchema as Record<string, unknown>;
      expect(schema.type, tool.name).toBe("object");
      expect(schema).not.toHaveProperty("anyOf");
      expect(schema).not.toHaveProperty("oneOf");
      for (const [arg, prop] of Object.entries(schema.properties as Record<string, { description?: string }>)) {
        expect(prop.description, `${tool.name}.${arg}`).toBeTruthy();
      }
      expect(tool.outputSchema?.type, tool.name).toBe("object");
    }
  });

  it("matches the committed schema snapshot of every tool", () => {
    if (UPDATE && !existsSync(SNAP_DIR)) mkdirSync(SNAP_DIR);
    for (const tool of listed) {
      const file = new URL(`${tool.name}.snap.json`, SNAP_DIR);
      const current = JSON.stringify(tool, null, 2) + "\n";
      if (UPDATE) {
        writeFileSync(file, current);
        continue;
      }
      // A missing snapshot is a failure everywhere, not only in CI: schema changes must be visible in review.
      expect(existsSync(file), `${tool.name} has no snapshot: run UPDATE_TOOLSNAPS=1 npx vitest run test/inventory.test.ts and commit it`).toBe(true);
      expect(current, `${tool.name} schema changed: review, then UPDATE_TOOLSNAPS=1 npm test`).toBe(readFileSync(file, "utf8"));
    }
  });
});

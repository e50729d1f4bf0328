// Guardrails over the whole tool inventory, seen through tools/list: names, titles, derived hints, schema shape, snapshots.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import * as z from "zod";
import { TOOLS } from "../../tools/index.js";
import { defineTool, type ToolDef } from "../../src/mcp/define-tool.js";
import { pickFixtures } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { writeRequests } from "../support/guard-helpers.js";
import { listedTool } from "../../src/mcp/listed-tools.js";
import { openObjects, untypedSchemas } from "../support/untyped-schemas.js";

const SNAP_DIR = new URL("../__toolsnaps__/", import.meta.url);
const UPDATE = process.env.UPDATE_TOOLSNAPS === "1";

let h: Harness;
let listed: Tool[];
beforeAll(async () => {
  // A client that can show a form: under the default --confirm strict, delete and reset are listed only to such a client.
  h = await startHarness({ capabilities: { elicitation: { form: {} } } });
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
      expect(tool.annotations).toEqual({
        readOnlyHint: def.kind === "read",
        destructiveHint: def.kind === "destructive",
        idempotentHint: def.kind === "read" ? true : def.idempotent === true,
        openWorldHint: true,
      });
    }
    // The kinds themselves, as the README's tool table and docs/tools.md give them: hints derived from a wrong kind would be wrong too.
    const kinds = Object.fromEntries(TOOLS.map((t) => [t.name, t.kind]));
    expect(Object.keys(kinds).filter((name) => kinds[name] === "destructive")).toEqual([
      "reset_identity",
      "delete_identity",
    ]);
    expect(Object.keys(kinds).filter((name) => kinds[name] === "read")).toEqual([
      "list_identities",
      "get_identity",
      "get_identity_ownership_details",
      "get_role_assignments",
      "get_role_assignment",
      "get_task_status",
    ]);
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

  it("types every schema in tools/list, inputs and outputs: no `{}` and nothing without type/anyOf/enum/const/$ref", () => {
    for (const tool of listed) {
      expect(
        [...untypedSchemas(tool.inputSchema, "in"), ...untypedSchemas(tool.outputSchema, "out")],
        tool.name,
      ).toEqual([]);
    }
    // The check itself catches what it is for: an untyped output field as zod converts it.
    const loose = listedTool(
      defineTool({
        name: "t",
        title: "T",
        description: "A tool with an untyped field, for the check.",
        kind: "read",
        rights: "none",
        inputSchema: z.object({}),
        outputSchema: z.object({ raw: z.unknown(), rows: z.array(z.any()) }),
        handler: () => Promise.reject(new Error("never called")),
      }),
    );
    expect(untypedSchemas(loose.outputSchema, "out")).toEqual(["out.raw", "out.rows[]"]);
  });

  it("closes every input object to unknown arguments (additionalProperties: false)", () => {
    for (const tool of listed) expect(openObjects(tool.inputSchema, "in"), tool.name).toEqual([]);
    expect(
      openObjects(
        listedTool(
          defineTool({
            name: "t",
            title: "T",
            description: "A tool, for the check.",
            kind: "read",
            rights: "none",
            inputSchema: z.object({ a: z.string() }),
            outputSchema: z.object({}),
            handler: () => Promise.reject(new Error("never called")),
          }),
        ).inputSchema,
        "in",
      ),
    ).toEqual([]);
    expect(
      openObjects({ type: "object", properties: { a: { type: "object" } }, additionalProperties: false }, "in"),
    ).toEqual(["in.a"]);
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
      expect(
        existsSync(file),
        `${tool.name} has no snapshot: run UPDATE_TOOLSNAPS=1 npx vitest run test/mcp/inventory.test.ts and commit it`,
      ).toBe(true);
      expect(current, `${tool.name} schema changed: review, then UPDATE_TOOLSNAPS=1 npm test`).toBe(
        readFileSync(file, "utf8"),
      );
    }
  });
});

describe("every write goes through the guard", () => {
  it("gives every non-read tool a guard plan, an act and a render, and no handler; reads a handler and no guard", () => {
    for (const tool of TOOLS) {
      if (tool.kind === "read") {
        expect(typeof tool.handler, tool.name).toBe("function");
        expect(tool.guard, tool.name).toBeUndefined();
        continue;
      }
      expect(tool.handler, tool.name).toBeUndefined();
      expect(typeof tool.guard?.plan, tool.name).toBe("function");
      expect(typeof tool.guard?.act, tool.name).toBe("function");
      expect(typeof tool.guard?.render, tool.name).toBe("function");
    }
  });

  it("lets the server add confirmationCode and the confirmation fields to every confirming write, and to nothing else", () => {
    for (const tool of listed) {
      const def = TOOLS.find((t) => t.name === tool.name)!;
      const confirms = def.kind !== "read" && def.guard?.confirms !== false;
      expect(
        Object.keys((tool.inputSchema as { properties: object }).properties).includes("confirmationCode"),
        tool.name,
      ).toBe(confirms);
      const out = tool.outputSchema as { properties: Record<string, { enum?: string[] }> };
      expect(out.properties.confirmationCode !== undefined, tool.name).toBe(confirms);
      if (def.kind !== "read")
        expect(out.properties.status?.enum, tool.name).toEqual(
          confirms ? ["executed", "confirmation_required", "confirmation_pending"] : ["executed"],
        );
    }
  });

  it("gives a read handler a context that can only read: a write attempt reaches nothing", async () => {
    const seen: string[][] = [];
    const rogue = defineTool({
      name: "rogue_read",
      title: "Rogue",
      description: "A read tool that tries to write, to prove it cannot.",
      kind: "read",
      rights: "none",
      inputSchema: z.object({ identityId: z.string() }),
      outputSchema: z.object({}),
      async handler(args, ctx) {
        seen.push(Object.keys(ctx).sort());
        // Past the type system on purpose: the handle itself refuses.
        const request = ctx.request as unknown as (method: string, path: string, body: z.ZodType) => Promise<unknown>;
        await request("DELETE", `identities/${args.identityId}`, z.unknown());
        return { structured: {}, text: "wrote" };
      },
    });
    const r = await startHarness({ sandbox: { identities: 20 }, tools: [rogue as ToolDef] });
    try {
      const id = pickFixtures(r.sandbox.state).plain;
      const res = await r.call("rogue_read", { identityId: id });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/writes go through the guard/);
      expect(seen).toEqual([["progress", "request"]]);
      expect(writeRequests(r.sandbox)).toEqual([]);
      expect(r.sandbox.state.identities.has(id)).toBe(true);
    } finally {
      await r.close();
    }
  });
});

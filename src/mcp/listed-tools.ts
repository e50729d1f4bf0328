// JSON Schemas for tools/list, made with zod's own converter (zod-to-json-schema silently fails on zod 4): at build time for the bundle.
import * as z from "zod";
import type { AnyTool } from "./define-tool.js";
import { annotationsFor } from "./define-tool.js";

type JsonSchema = Record<string, unknown>;
/** What tools/list requires of a tool's schemas: a JSON Schema of an object (every tool's arguments and result are one). */
type ObjectSchema = JsonSchema & { type: "object" };

function toJsonSchema(schema: z.ZodType, io: "input" | "output"): ObjectSchema {
  const json = z.toJSONSchema(schema, { io, target: "draft-7", unrepresentable: "any" }) as JsonSchema;
  // `$schema` and open `additionalProperties` say nothing a model needs; tools/list is paid for in every conversation.
  delete json.$schema;
  if (io === "output") delete json.additionalProperties;
  return prune(json) as ObjectSchema;
}

/** Drops `additionalProperties: {}` (zod's loose objects) and `properties: {}`: both say what JSON Schema assumes anyway. */
function prune(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(prune);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (
      (key === "additionalProperties" || key === "properties") &&
      value &&
      typeof value === "object" &&
      Object.keys(value).length === 0
    )
      continue;
    out[key] = prune(value);
  }
  return out;
}

export interface ListedTool {
  name: string;
  title: string;
  description: string;
  inputSchema: ObjectSchema;
  outputSchema: ObjectSchema;
  annotations: ReturnType<typeof annotationsFor>;
}

/**
 * The bundle's tools/list, made by scripts/bundle.ts with this file's own code (a JSON string: parsed on the first
 * tools/list, not at start). Absent in the tsc output and in tests, which convert the zod schemas as below;
 * test/project/bundle.test.ts checks that the bundle lists exactly what that conversion gives.
 */
declare const __ISC_MCP_TOOL_LIST__: string | undefined;
let prebuilt: Record<string, ListedTool> | undefined;
const prebuiltEntry = (name: string): ListedTool | undefined =>
  typeof __ISC_MCP_TOOL_LIST__ === "string"
    ? (prebuilt ??= JSON.parse(__ISC_MCP_TOOL_LIST__) as Record<string, ListedTool>)[name]
    : undefined;

const cache = new WeakMap<AnyTool, ListedTool>();

export function listedTool(tool: AnyTool): ListedTool {
  let listed = cache.get(tool);
  if (!listed) {
    listed = prebuiltEntry(tool.name) ?? {
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: toJsonSchema(tool.inputSchema, "input"),
      outputSchema: toJsonSchema(tool.outputSchema, "output"),
      annotations: annotationsFor(tool),
    };
    cache.set(tool, listed);
  }
  return listed;
}

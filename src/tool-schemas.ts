// JSON Schemas for tools/list, made once per tool with zod's own converter (zod-to-json-schema silently fails on zod 4).
import { z } from "zod";
import type { AnyTool } from "./define-tool.js";
import { annotationsFor } from "./define-tool.js";

type JsonSchema = Record<string, unknown>;

function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const json = z.toJSONSchema(schema, { io, target: "draft-7", unrepresentable: "any" }) as JsonSchema;
  // `$schema` is the same on every tool: dropping it saves tokens in every conversation.
  delete json.$schema;
  return json;
}

export interface ListedTool {
  name: string;
  title: string;
  description: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  annotations: ReturnType<typeof annotationsFor>;
}

const cache = new WeakMap<AnyTool, ListedTool>();

export function listedTool(tool: AnyTool): ListedTool {
  let listed = cache.get(tool);
  if (!listed) {
    listed = {
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

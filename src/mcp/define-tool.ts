// A tool is data plus one handler; its MCP annotations come from its kind, here and nowhere else.
import type { z } from "zod";
import type { ToolContext } from "./tool-context.js";

export type ToolKind = "read" | "write" | "destructive";

export interface ToolOutput<O> {
  /** Structured result, validated against the tool's output schema. */
  structured: O;
  /** Compact text copy for hosts that show only text. */
  text: string;
}

export interface ToolDef<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** Short: what it does, when to use it, what to call first. Details go on the parameters. */
  description: string;
  kind: ToolKind;
  /** True when repeating the call has no further effect (reads always are). */
  idempotent?: boolean;
  /** The ISC rights the API client needs, named in 403 errors. */
  rights: string;
  inputSchema: I;
  outputSchema: O;
  handler: (args: z.output<I>, ctx: ToolContext) => Promise<ToolOutput<z.input<O>>>;
}

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(def: ToolDef<I, O>): ToolDef<I, O> {
  return def;
}

/** The only place hints are decided: every tool talks to a remote tenant (open world). */
export function annotationsFor(tool: Pick<ToolDef, "kind" | "idempotent">): ToolAnnotations {
  // No `title` here: the tool's top-level title says it once.
  return {
    readOnlyHint: tool.kind === "read",
    destructiveHint: tool.kind === "destructive",
    idempotentHint: tool.kind === "read" ? true : tool.idempotent === true,
    openWorldHint: true,
  };
}

/** Erases the generic parameters for lists of mixed tools. */
export type AnyTool = ToolDef<z.ZodObject, z.ZodObject>;

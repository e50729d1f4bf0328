// A tool is data plus functions: a read has a handler; a write declares its guard (plan, act, render). Hints come from its kind, here only.
import * as z from "zod";
import type { IscError } from "../core/errors.js";
import type { IscWrite } from "../isc/body.js";
import type { ActResult, GuardPlan, Preview } from "../guard/index.js";
import type { ToolContext } from "./tool-context.js";
import type { FollowContext } from "./follow-task.js";
import { confirmationCodeArg } from "./tool-args.js";
import { guardedOutput } from "./guarded-output.js";

export type ToolKind = "read" | "write" | "destructive";

export interface ToolOutput<O> {
  /** Structured result, validated against the tool's output schema. */
  structured: O;
  /** Compact text copy for hosts that show only text. */
  text: string;
}

interface ToolInfo<I extends z.ZodObject> {
  name: string;
  title: string;
  /** Short: what it does, when to use it, what to call first. Details go on the parameters. */
  description: string;
  /** True when repeating the call has no further effect (reads always are). */
  idempotent?: boolean;
  /** The ISC rights the personal access token needs (its scopes, its owner's user level), named in 403 errors. */
  rights: string;
  /** This tool's next step for an ISC error status (e.g. its filter grammar for a 400), instead of the generic one. */
  errorHints?: Readonly<Partial<Record<number, string>>>;
  inputSchema: I;
}

export interface ReadToolDef<I extends z.ZodObject, O extends z.ZodObject> extends ToolInfo<I> {
  kind: "read";
  outputSchema: O;
  /** `ctx` can only read from ISC. */
  handler: (args: z.output<I>, ctx: ToolContext) => Promise<ToolOutput<z.input<O>>>;
}

/** What a write tool declares; the server runs the guard around it. */
export interface GuardDef<A, V, F> {
  /** false: never asks anyone (e.g. sync), so no confirmationCode argument and no confirmation fields. @default true */
  confirms?: boolean;
  /** Every call needs a human's confirmation (delete, reset, email): hidden from clients for which none can be given. */
  alwaysConfirms?: boolean;
  /** What the guard checks, shows and asks, from the validated arguments (confirmationCode left out). */
  plan(args: A): GuardPlan;
  /** The only code that may write to ISC: runs after every check passed, with the write-capable handle. */
  act(args: A, isc: IscWrite): Promise<ActResult<V>>;
  /**
   * The executed result: fields of `result`, and the text. `preview` is what the human confirmed, if anyone did.
   * `follow` lets a tool that started asynchronous work wait for it (reads only, inside the call's deadline
   * and the shared rate budget); whatever happens there, the write already happened and reads as done.
   */
  render(
    done: { args: A; value: V; preview: Preview | undefined },
    follow: FollowContext,
  ): { fields: F; text: string } | Promise<{ fields: F; text: string }>;
  /** Text for an ISC error after acting (e.g. a delete ISC refused), or undefined for the usual error text. */
  explain?(err: IscError, args: A): string | undefined;
}

export interface WriteToolDef<I extends z.ZodObject, R extends z.ZodRawShape, V> extends ToolInfo<I> {
  kind: "write" | "destructive";
  /** Fields of the executed result (optional: absent until executed); the server adds the confirmation fields. */
  result: R;
  guard: GuardDef<z.output<I>, V, z.input<z.ZodObject<R>>>;
}

/** A tool as the server lists and runs it: schemas complete (confirmationCode and the guarded output added). */
export interface ToolDef {
  name: string;
  title: string;
  description: string;
  kind: ToolKind;
  idempotent?: boolean;
  rights: string;
  /** Validated and listed: a confirming write's includes `confirmationCode`. */
  inputSchema: z.ZodObject;
  outputSchema: z.ZodObject;
  handler?: (args: never, ctx: ToolContext) => Promise<ToolOutput<unknown>>;
  guard?: GuardDef<never, unknown, unknown>;
}

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(def: ReadToolDef<I, O>): ToolDef;
export function defineTool<I extends z.ZodObject, R extends z.ZodRawShape, V>(def: WriteToolDef<I, R, V>): ToolDef;
export function defineTool(
  def: ReadToolDef<z.ZodObject, z.ZodObject> | WriteToolDef<z.ZodObject, z.ZodRawShape, unknown>,
): ToolDef {
  // Every input is strict (additionalProperties: false in tools/list): an unknown argument is refused, not ignored.
  // strict() keeps refinements such as invite's "ids or uninvited".
  if (def.kind === "read") return { ...(def as ToolDef), inputSchema: def.inputSchema.strict() };
  const { result, guard, ...info } = def;
  const confirms = guard.confirms !== false;
  return {
    ...info,
    // safeExtend: keeps refinements (e.g. invite's "ids or uninvited"), which extend() refuses.
    inputSchema: (confirms
      ? def.inputSchema.safeExtend({ confirmationCode: confirmationCodeArg })
      : def.inputSchema
    ).strict(),
    outputSchema: confirms ? guardedOutput(result) : z.object({ status: z.enum(["executed"]), ...result }),
    guard: guard as GuardDef<never, unknown, unknown>,
  };
}

export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
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

/** Kept for callers that list mixed tools. */
export type AnyTool = ToolDef;

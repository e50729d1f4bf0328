// Which tools, prompts and resource templates a client gets: the one place that decides it; the server, the start-up
// line and the HTTP sign-in's scope check all ask this. The tools and prompts come in from the CLI, never imported.
import type { AnyTool, ToolKind } from "./define-tool.js";
import type { PromptDef } from "./define-prompt.js";
import type { Caller } from "./caller.js";
import { TEMPLATES, type TemplateDef } from "./resource-templates.js";

/** Everything this build can offer, in order: tools/index.ts and prompts/index.ts. */
export interface Catalog {
  tools: readonly AnyTool[];
  prompts: readonly PromptDef[];
}

/** The operator's choice (--read-only, --tools, --exclude-tools). */
export interface Selection {
  readOnly: boolean;
  tools: string[] | undefined;
  excludeTools: string[] | undefined;
}

export interface Inventory {
  /** The tools this server offers at all, in catalog order: read-only beats everything, exclude beats include. */
  readonly tools: readonly AnyTool[];
  /** The prompts whose tools are all offered: a prompt must not steer the model to a tool it cannot have. */
  readonly prompts: readonly PromptDef[];
  /** The prompts this caller gets (prompts/list, prompts/get, their completions): those whose tools it may all call. */
  promptsFor(caller: Caller | undefined): PromptDef[];
  /** The resource templates this caller gets (list, read, completion): those whose tool it may call. */
  templatesFor(caller: Caller | undefined): TemplateDef[];
  /**
   * The tools this caller may call: with sign-in, only those of the kinds its token's scopes allow; stdio and the
   * static HTTP token have no caller (every offered tool). A tool outside is, for the caller, a name never heard of.
   */
  callable(caller: Caller | undefined): AnyTool[];
  /**
   * What tools/list shows this caller: the callable tools, less those that always confirm when no channel can reach a
   * human for this client (e.g. strict mode, no elicitation). A call to one still reaches the guard, whose refusal says
   * what would work.
   */
  listed(caller: Caller | undefined, canConfirm: boolean): AnyTool[];
  /** Whether this caller may read identities through resources and completions, as the read tools do. */
  mayRead(caller: Caller | undefined): boolean;
  /** The kind of an offered tool, for the sign-in's scope check; a tool not offered has none (an unknown tool, no scope challenge). */
  kindOf(name: string): ToolKind | undefined;
}

export function createInventory(catalog: Catalog, selection: Selection): Inventory {
  const include = selection.tools && selection.tools.length > 0 ? new Set(selection.tools) : undefined;
  const exclude = new Set(selection.excludeTools ?? []);
  const tools = catalog.tools.filter(
    (t) => (!selection.readOnly || t.kind === "read") && (!include || include.has(t.name)) && !exclude.has(t.name),
  );
  const offered = new Set(tools.map((t) => t.name));
  const prompts = catalog.prompts.filter((p) => p.tools.every((t) => offered.has(t)));
  const allows = (caller: Caller | undefined, kind: ToolKind) => !caller || caller.kinds.includes(kind);
  const callable = (caller: Caller | undefined) => tools.filter((t) => allows(caller, t.kind));
  const callableNames = (caller: Caller | undefined) => new Set(callable(caller).map((t) => t.name));
  return {
    tools,
    prompts,
    promptsFor: (caller) => {
      const names = callableNames(caller);
      return prompts.filter((p) => p.tools.every((t) => names.has(t)));
    },
    templatesFor: (caller) => {
      const names = callableNames(caller);
      return TEMPLATES.filter((t) => names.has(t.tool));
    },
    callable,
    listed: (caller, canConfirm) => callable(caller).filter((t) => canConfirm || !t.guard?.alwaysConfirms),
    mayRead: (caller) => allows(caller, "read"),
    kindOf: (name) => tools.find((t) => t.name === name)?.kind,
  };
}

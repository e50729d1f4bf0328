// The page's view of one confirmation, built from the guard's preview: our words for the action, ISC's values as data.
import type { ConfirmBy, PageWords } from "../plan.js";
import type { Preview } from "../preview.js";
import type { PageView } from "./view.js";

export interface ViewInput {
  tool: string;
  tenant: string;
  preview: Preview;
  by: ConfirmBy;
  /** The tool's words for the page (its plan's `page`). @default its name in words, "Confirm", "go ahead" */
  words?: PageWords | undefined;
  /** Names of the first identities a mass action touches, when known. */
  sample?: string[];
}

export function pageViewOf(input: ViewInput): PageView {
  const { preview: p } = input;
  const words = input.words ?? {
    title: input.tool.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase()),
    button: "Confirm",
    next: "go ahead",
  };
  const i = p.identity;
  return {
    title: words.title,
    action:
      p.window && p.window.count > (p.count ?? 0)
        ? `${p.action} With earlier calls, ${p.window.count} identities in the last ${p.window.minutes} min (batches add up).`
        : p.action,
    destructive: input.by === "name",
    confirmBy: input.by,
    button: words.button,
    tool: input.tool,
    tenant: input.tenant,
    ...(i
      ? {
          identity: {
            id: i.id,
            name: i.name,
            alias: i.alias,
            email: i.email,
            status: i.status,
            lifecycleState: i.lifecycleState,
          },
        }
      : {}),
    // The tool refused (as a blocker) an identity that owns anything before anyone was asked, so here it owns nothing.
    ...(words.ownsNothing ? { owns: [] } : {}),
    ...(p.count !== undefined ? { count: p.count } : {}),
    ...(input.sample && input.sample.length > 0 ? { sample: input.sample } : {}),
    next: words.next,
  };
}

/** What a typed name may match: the identity's name and alias, as ISC gave them. */
export function acceptedNames(p: Preview): string[] {
  return [p.identity?.name, p.identity?.alias].filter((v): v is string => Boolean(v));
}

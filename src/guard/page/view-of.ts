// The page's view of one confirmation, built from the guard's preview: our words for the action, ISC's values as data.
import type { ConfirmBy } from "../plan.js";
import type { Preview } from "../preview.js";
import type { PageView } from "./view.js";

/** Heading, button and "what happens next" per tool; other tools get their name in words. */
const WORDS: Record<string, { title: string; button: string; next: string }> = {
  delete_identity: { title: "Delete identity", button: "Delete identity", next: "delete the identity" },
  reset_identity: { title: "Reset identity", button: "Reset identity", next: "reset the identity" },
  send_identity_verification_account_token: {
    title: "Send a password-reset email",
    button: "Send the email",
    next: "send the email",
  },
  start_identities_invite: {
    title: "Send registration invitations",
    button: "Send invitations",
    next: "send the invitations",
  },
  start_identity_processing: {
    title: "Start identity processing",
    button: "Start processing",
    next: "start the processing",
  },
};

export interface ViewInput {
  tool: string;
  tenant: string;
  preview: Preview;
  by: ConfirmBy;
  /** Names of the first identities a mass action touches, when known. */
  sample?: string[];
}

export function pageViewOf(input: ViewInput): PageView {
  const { preview: p } = input;
  const words = WORDS[input.tool] ?? {
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
    // A delete is refused before anyone is asked when the identity owns anything, so here it owns nothing.
    ...(input.tool === "delete_identity" ? { owns: [] } : {}),
    ...(p.count !== undefined ? { count: p.count } : {}),
    ...(input.sample && input.sample.length > 0 ? { sample: input.sample } : {}),
    next: words.next,
  };
}

/** What a typed name may match: the identity's name and alias, as ISC gave them. */
export function acceptedNames(p: Preview): string[] {
  return [p.identity?.name, p.identity?.alias].filter((v): v is string => Boolean(v));
}

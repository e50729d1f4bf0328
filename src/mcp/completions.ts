// completion/complete: the identity arguments of the prompts and of the identity template complete from the tenant. SDK-specific.
import type { CompleteResult, Server } from "@modelcontextprotocol/server";
import type { Logger } from "../core/log.js";
import type { IscClient } from "../isc/client.js";
import { callerOf } from "./caller.js";
import type { PromptArgument } from "./define-prompt.js";
import type { Inventory } from "./inventory.js";
import { insertable, suggestIdentities, SUGGESTIONS, type Match, type Suggestions } from "./identity-suggestions.js";
import { invalidParams } from "./protocol-errors.js";
import { IDENTITY_TEMPLATE } from "./resource-templates.js";

type Completion = CompleteResult["completion"];

const EMPTY: Completion = { values: [], total: 0, hasMore: false };

export function registerCompletions(server: Server, inventory: Inventory, isc: IscClient, log: Logger): void {
  server.setRequestHandler("completion/complete", async (request, ctx): Promise<CompleteResult> => {
    const { ref, argument } = request.params;
    const caller = callerOf(ctx.http?.authInfo);
    // Suggesting identities is reading them: a signed-in person without read tools gets none.
    const mayRead = inventory.mayRead(caller);
    if (ref.type === "ref/prompt") {
      // Only the prompts and templates this caller gets complete (inventory.ts); another is unknown to them.
      const byName = new Map(inventory.promptsFor(caller).map((p) => [p.name, p]));
      const prompt = byName.get(ref.name);
      if (!prompt)
        throw invalidParams(`Unknown prompt "${ref.name}". Available prompts: ${[...byName.keys()].join(", ")}.`);
      const arg = prompt.arguments.find((a) => a.name === argument.name);
      if (!arg) throw invalidParams(`Prompt "${prompt.name}" has no argument "${argument.name}".`);
      return { completion: await promptCompletion(arg, argument.value, mayRead, isc, log) };
    }
    if (ref.uri !== IDENTITY_TEMPLATE || !inventory.templatesFor(caller).some((t) => t.uriTemplate === ref.uri))
      throw invalidParams(`Unknown resource template "${ref.uri}".`);
    if (argument.name !== "identityId") throw invalidParams(`${IDENTITY_TEMPLATE} has no argument "${argument.name}".`);
    if (!mayRead) return { completion: EMPTY };
    return { completion: shaped(await suggestIdentities(isc, argument.value, log), (m) => m.id) };
  });
}

async function promptCompletion(
  arg: PromptArgument,
  value: string,
  mayRead: boolean,
  isc: IscClient,
  log: Logger,
): Promise<Completion> {
  const complete = arg.complete;
  if (!complete) return EMPTY;
  if (complete !== "identity") {
    const values = complete.filter((c) => c.toLowerCase().startsWith(value.trim().toLowerCase()));
    return { values, total: values.length, hasMore: false };
  }
  if (!mayRead) return EMPTY;
  const typed = value.trim().toLowerCase();
  // What the person typed the start of: the name when it matched, else the alias that did.
  return shaped(await suggestIdentities(isc, value, log), (m) =>
    m.alias !== undefined && !m.name.toLowerCase().startsWith(typed) && m.alias.toLowerCase().startsWith(typed)
      ? m.alias
      : m.name,
  );
}

function shaped(found: Suggestions, pick: (m: Match) => string): Completion {
  const values = [...new Set(found.matches.map(pick).filter(insertable))].slice(0, SUGGESTIONS);
  const total = Math.max(found.total ?? found.matches.length, values.length);
  return { values, total, hasMore: total > values.length };
}

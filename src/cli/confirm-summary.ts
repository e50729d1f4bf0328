// The start-up line's words on confirmation: which human channels this server can use, what --confirm allows, and what is hidden.
import type { Config } from "../config/resolve.js";
import type { Guard } from "../guard/index.js";
import type { Inventory } from "../mcp/inventory.js";

/** How each human channel reaches a person, in words an operator reads at start-up. */
const SHOWN: Readonly<Record<string, string>> = {
  form: "a form the MCP client shows",
  url: "the confirmation page the MCP client opens",
  browser: "the confirmation page opened in the user's browser",
};

export interface ConfirmSummary {
  /** One clause for the start-up line. */
  text: string;
  /** The tools a client without elicitation does not see (no channel can confirm them for it). */
  hiddenWithoutElicitation: string[];
}

/**
 * What is hidden is what the inventory's tools/list leaves out for a client without elicitation (the one place that
 * decides it), so this line cannot disagree with what such a client is shown. Without a session (--stateless) no client
 * can elicit, so only what needs no elicitation counts. Call it once the pages can be reached (the HTTP port is known).
 */
export function confirmSummary(
  config: Pick<Config, "confirm" | "http" | "stateless">,
  guard: Guard,
  inventory: Pick<Inventory, "tools" | "listed">,
): ConfirmSummary {
  const bare = { form: false, url: false };
  const sessionless = config.http && config.stateless;
  const human = guard.humanChannels(sessionless ? bare : { form: true, url: true });
  const shown = new Set(inventory.listed(undefined, guard.canConfirm(bare)).map((t) => t.name));
  const hidden = inventory.tools.filter((t) => !shown.has(t.name)).map((t) => t.name);
  const on =
    human.length > 0
      ? `on ${human.map((name) => SHOWN[name] ?? name).join(", or ")}`
      : "but no human channel can reach a person here";
  if (config.confirm === "auto") {
    const where = human.length > 0 ? `a human confirms ${on}` : "no human channel can reach a person here";
    return {
      text: `confirm: auto — a model can confirm with a code when no human channel exists (${where})`,
      hiddenWithoutElicitation: hidden,
    };
  }
  const why = sessionless
    ? "without a session no client can elicit"
    : config.http
      ? "over HTTP only elicitation reaches its user"
      : "no browser was found to show the confirmation page: set BROWSER";
  const gone =
    hidden.length === 0
      ? ""
      : sessionless
        ? `; ${hidden.join(", ")} are hidden (${why})`
        : `; a client without elicitation is not shown ${hidden.join(", ")} (${why})`;
  return { text: `confirm: strict — only a human confirms, ${on}${gone}`, hiddenWithoutElicitation: hidden };
}

// The start-up line's words on confirmation: which human channels this server can use, what --confirm allows, and what is hidden.
import { pageWanted, type Config } from "../config/resolve.js";
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
  /** How many tools a client that declares elicitation is listed (the most any client gets). */
  tools: number;
  /** The tools a client without elicitation does not see (no channel can confirm them for it). */
  hiddenWithoutElicitation: string[];
  /** Under --stateless, what a 2025 client (never asked without a session) is not shown, in one warning; else none. */
  warning?: string;
}

/**
 * What is hidden is what the inventory's tools/list leaves out for a client without elicitation (the one place that
 * decides it), so this line cannot disagree with what such a client is shown. Under --stateless a 2025 client is served
 * per request and never asked (the server answering its call never saw its initialize), while a 2026-07-28 client
 * declares elicitation with each request and is asked as with sessions. Call it once the pages can be reached (the HTTP
 * port is known).
 */
export function confirmSummary(
  config: Pick<Config, "confirm" | "http" | "stateless" | "readOnly" | "confirmVia" | "oauthIssuer" | "oauthClientId">,
  guard: Guard,
  inventory: Pick<Inventory, "tools" | "listed">,
): ConfirmSummary {
  const bare = { form: false, url: false };
  const pageOnly = { form: false, url: true };
  const asking = { form: true, url: true };
  const sessionless = config.http && config.stateless;
  const human = guard.humanChannels(asking);
  const listed = (client: typeof bare) => inventory.listed(undefined, guard.canConfirm(client)).map((t) => t.name);
  const hiddenFrom = (client: typeof bare) => {
    const shown = new Set(listed(client));
    return inventory.tools.filter((t) => !shown.has(t.name)).map((t) => t.name);
  };
  const hidden = hiddenFrom(bare);
  const tools = listed(asking).length;
  // --stateless with --oauth-issuer but no --oauth-client-id starts without a page (config/checks.ts): a client that
  // can only open a page then has no way for a person to confirm, which the operator must read, with the fix.
  const noPage =
    config.http && config.oauthIssuer && !config.oauthClientId && pageWanted(config) && !human.includes("url")
      ? {
          hidden: hiddenFrom(pageOnly),
          why: "no confirmation page is served, as with --oauth-issuer the page signs people in through this server's own client at the provider (set --oauth-client-id to turn the page on)",
        }
      : undefined;
  // Under --stateless only a 2026-07-28 client can be asked, so the channels are named with whom they reach.
  const kinds = (["form", "url"] as const).filter((k) => human.includes(k));
  const declares = `declares ${kinds.length === 1 ? `${kinds[0] === "url" ? "URL" : "form"} ` : ""}elicitation`;
  const to = sessionless ? `, to a 2026-07-28 client that ${declares}` : "";
  const channels = `on ${human.map((name) => SHOWN[name] ?? name).join(", or ")}`;
  const on = human.length > 0 ? `${channels}${to}` : "but no human channel can reach a person here";
  const warning =
    sessionless && hidden.length > 0
      ? `--stateless with --confirm ${config.confirm}: without a session a 2025 client cannot be asked, so ${hidden.join(", ")} ${hidden.length === 1 ? "is" : "are"} hidden from tools/list for it${human.length > 0 ? ` (a 2026-07-28 client that ${declares} still sees them and confirms ${channels})` : ""}. Serve sessions (drop --stateless) so 2025 clients can elicit, or ${config.confirm === "strict" ? "use --confirm auto" : "add code to --confirm-via"} for confirmation codes.`
      : undefined;
  // What such a client is listed decides the words: not shown (strict, or no code in --confirm-via), or given a code.
  const pageless = !noPage
    ? ""
    : noPage.hidden.length > 0
      ? `; a 2026-07-28 client with URL elicitation only cannot confirm and is not shown ${noPage.hidden.join(", ")}${config.confirm === "strict" && hidden.length > 0 ? " either" : ""}: ${noPage.why}`
      : `; no person can confirm for a 2026-07-28 client with URL elicitation only, which gets a code instead: ${noPage.why}`;
  // Under strict no code is ever offered: a code in --confirm-via would otherwise be ignored without a word.
  const via = config.confirmVia && config.confirmVia.length > 0 ? config.confirmVia : undefined;
  const codeIgnored =
    config.confirm === "strict" && via?.includes("code")
      ? "--confirm-via names code, which only --confirm auto uses: under strict no confirmation code is offered."
      : undefined;
  const warned = [warning, codeIgnored].filter(Boolean).join(" ");
  const common = { tools, hiddenWithoutElicitation: hidden, ...(warned ? { warning: warned } : {}) };
  if (config.confirm === "auto") {
    const where =
      human.length === 0
        ? "no human channel can reach a person here"
        : `a human confirms ${on}${sessionless ? "; without a session a 2025 client cannot be asked" : ""}`;
    return {
      ...common,
      text: `confirm: auto — a model can confirm with a code when no human channel exists (${where})${pageless}`,
    };
  }
  const why = config.http
    ? "over HTTP only elicitation reaches its user"
    : via && !via.includes("browser")
      ? "--confirm-via leaves out browser"
      : "no browser was found to show the confirmation page: set BROWSER";
  // Whom the hiding concerns: with no human channel, every client; with one kind of elicitation, a client without that kind.
  const without =
    kinds.length === 1 ? `without ${kinds[0] === "url" ? "URL" : "form"} elicitation` : "without elicitation";
  const gone =
    hidden.length === 0
      ? ""
      : human.length === 0
        ? `; no client is shown ${hidden.join(", ")} (${via?.every((c) => c === "code") ? "--confirm-via names no human channel" : why})`
        : sessionless
          ? `; a 2025 client (without a session it cannot be asked) or a client ${without} is not shown ${hidden.join(", ")}`
          : `; a client ${without} is not shown ${hidden.join(", ")} (${why})`;
  return { ...common, text: `confirm: strict — only a human confirms, ${on}${gone}${pageless}` };
}

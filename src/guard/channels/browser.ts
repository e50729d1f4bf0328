// The confirmation page opened in the user's browser: for a server on the user's own machine (stdio) whose client cannot elicit.
import type { BrowserOpener, OpenedPage } from "../page/opener.js";
import type { ConfirmationPages } from "../page/pages.js";
import type { Channel } from "./channel.js";
import { askOnPage } from "./page-flow.js";

export function browserChannel(pages: ConfirmationPages | undefined, opener: BrowserOpener, waitMs: number): Channel {
  // Page id -> what the browser was handed for it, deleted once nobody needs it: the page answered, or expired. Not
  // confirmation state (the store holds that): this machine's hand-off to its own browser, meaningless to a replica.
  const handed = new Map<string, OpenedPage>();
  const discard = (id: string) => {
    handed.get(id)?.discard();
    handed.delete(id);
  };
  pages?.onAnswer((id) => discard(id));

  return {
    name: "browser",
    human: true,
    needs: "a server run over stdio on the user's own machine with a browser (BROWSER set, or a desktop session)",
    // Over HTTP the server may be far from the user's screen: there the page goes through URL elicitation.
    available: (facts) =>
      facts.transport === "stdio" && opener.available && pages !== undefined && pages.unreachable() === undefined,
    lacking: (facts) => (facts.transport === "stdio" && !opener.available ? opener.why : undefined),
    ask: (req) =>
      askOnPage(
        {
          pages: pages!,
          waitMs,
          channel: "browser",
          where: "in their browser (this server opened a confirmation page there)",
          async show(url, pending) {
            if (!opener.available)
              return { kind: "unshown", reason: "browser-failed", why: opener.why, next: "Tell the user." };
            try {
              handed.set(pending.id, await opener.open(url));
              setTimeout(() => discard(pending.id), Math.max(0, pending.expiresAt - Date.now())).unref();
              return undefined;
            } catch (err) {
              // Not a "no" from anyone: nobody was shown the page, so the guard asks on the next channel, if any.
              return {
                kind: "unshown",
                reason: "browser-failed",
                why: `the confirmation page could not be opened in the user's browser: ${err instanceof Error ? err.message : String(err)}`,
                next: "Tell the user; whoever runs this server should check its BROWSER setting (or desktop session).",
              };
            }
          },
        },
        req,
      ),
  };
}

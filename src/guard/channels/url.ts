// URL elicitation: the MCP client opens the server's confirmation page for the human (mode "url"), told when it was answered.
import { nodeCrypto } from "../../core/builtins.js";
import type { ConfirmationPages } from "../page/pages.js";
import type { Channel } from "./channel.js";
import { askOnPage } from "./page-flow.js";

export function urlChannel(pages: ConfirmationPages | undefined, waitMs: number): Channel {
  // Page id -> the completion notification of the elicitation that showed it, sent once when the human answers. Kept
  // until the page expires; in opening order, so the expired ones are at the front (no timer per page).
  const completions = new Map<string, { send: () => Promise<void>; until: number }>();
  const complete = (pageId: string) => {
    const entry = completions.get(pageId);
    completions.delete(pageId);
    void entry?.send().catch(() => {});
  };
  pages?.onAnswer((id) => complete(id));

  return {
    name: "url",
    human: true,
    // Behind sign-in the page knows who answers, so it can take a second person's answer (--four-eyes).
    secondPerson: pages?.signsIn === true,
    needs: "an MCP client that supports URL elicitation",
    available: (facts) => facts.client.url && pages !== undefined && pages.unreachable() === undefined,
    ask: (req) =>
      askOnPage(
        {
          pages: pages!,
          waitMs,
          channel: "url",
          where: "on the confirmation page their MCP client opened",
          async show(url, pending, { call, preview, fourEyes }) {
            // Its own id, not the page's: the client may log it, and the page id is what answers the page.
            const elicitationId = nodeCrypto().randomBytes(16).toString("base64url");
            const message = fourEyes
              ? `A second person must approve this: ${preview.action} Open the page and send its link to an approver; nothing happens unless they confirm there.`
              : `Confirm on the page that opens: ${preview.action} It shows the details; nothing happens unless you confirm there.`;
            let result;
            try {
              result = await call.elicitUrl(message, url, elicitationId, Math.min(waitMs, Math.max(1_000, call.deadline - Date.now())));
            } catch {
              return { kind: "refused", reason: "elicitation-failed", why: "the client did not open the confirmation page (it answered with an error, or not in time).", next: "Ask the user whether to try again." };
            }
            if (result.action !== "accept") {
              const reason = result.action === "decline" ? "declined" : "cancelled";
              return { kind: "refused", reason, why: `the user ${reason} opening the confirmation page.`, next: "Tell the user it was not done; call again only if they ask for it.", fromHost: true };
            }
            const t = Date.now();
            for (const [id, entry] of completions) {
              if (entry.until > t) break;
              completions.delete(id);
            }
            completions.set(pending.id, { send: () => call.elicitationComplete(elicitationId), until: pending.expiresAt });
            return undefined;
          },
          answered: (pending) => complete(pending.id),
        },
        req,
      ),
  };
}

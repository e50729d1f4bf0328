// URL elicitation: the MCP client opens the server's confirmation page for the human (mode "url", an input request); a 2025 client is told when it was answered.
import { randomBytes } from "node:crypto";
import type { ConfirmationPages } from "../page/pages.js";
import type { Channel } from "./channel.js";
import { askOnPage } from "./page-flow.js";
import { unanswered, UNANSWERED_NEXT } from "../unanswered.js";

/** Completes "a confirmation is waiting for the user …" for this channel. */
export const URL_WHERE = "on the confirmation page their MCP client opened";

/** `now`: the guard's clock, the one the pages' expiry is written in. */
export function urlChannel(pages: ConfirmationPages | undefined, waitMs: number, now: () => number): Channel {
  // Page id -> the completion notification of the elicitation that showed it, sent once when the human answers. Kept
  // until the page expires; in opening order, so the expired ones are at the front (no timer per page). Not confirmation
  // state (the store holds that): a notification to send on this process's own connection, which no other replica has.
  const completions = new Map<string, { send: () => Promise<void>; until: number }>();
  const complete = (pageId: string) => {
    const entry = completions.get(pageId);
    completions.delete(pageId);
    void entry?.send().catch(() => {});
  };
  pages?.onAnswer((id) => complete(id));
  const remember = (
    pageId: string,
    elicitationId: string,
    until: number,
    call: { elicitationComplete(id: string): Promise<void> },
  ) => {
    const t = now();
    for (const [id, entry] of completions) {
      if (entry.until > t) break;
      completions.delete(id);
    }
    completions.set(pageId, { send: () => call.elicitationComplete(elicitationId), until });
  };

  return {
    name: "url",
    human: true,
    // Behind sign-in the page knows who answers, so it can take a second person's answer (--four-eyes).
    secondPerson: pages?.signsIn === true,
    needs: "an MCP client that supports URL elicitation",
    available: (facts) => facts.client.url && pages !== undefined && pages.unreachable() === undefined,
    async ask(req) {
      const { resumed } = req;
      if (resumed) {
        // The client's answer to "open this page": a decline or cancel closes the page; an accept means it opened it
        // (not that the human confirmed), so this round waits on the page as any later call of the same binding would.
        const action = (resumed.response as { action?: unknown } | undefined)?.action;
        if (action !== "accept") {
          const reason = action === "decline" ? "declined" : "cancelled";
          const open = await pages!.find(req.binding.key);
          if (open && !open.answer)
            await pages!.cancel(req.binding.key, open.id, {
              reason,
              why: `the user ${reason} opening the confirmation page.`,
            });
          return {
            kind: "refused",
            reason,
            why: `the user ${reason} opening the confirmation page.`,
            next: "Tell the user it was not done; call again only if they ask for it.",
            fromHost: true,
          };
        }
        const eid = resumed.elicitationId;
        if (eid !== undefined && !req.call.modern) {
          const open = await pages!.find(req.binding.key);
          if (open) remember(open.id, eid, open.expiresAt, req.call);
        }
      }
      const answer = await askOnPage(
        {
          pages: pages!,
          waitMs,
          channel: "url",
          where: URL_WHERE,
          async show(url, pending, { call, preview, fourEyes }) {
            const message = fourEyes
              ? `A second person must approve this: ${preview.action} Open the page and send its link to an approver; nothing happens unless they confirm there.`
              : `Confirm on the page that opens: ${preview.action} It shows the details; nothing happens unless you confirm there.`;
            // 2025 era: an id of its own (not the page's: the client may log it, and the page id is what answers the page),
            // for the completion notification once the page is answered. The 2026 era has neither.
            const elicitationId = call.modern ? undefined : randomBytes(16).toString("base64url");
            const ask = { mode: "url" as const, message, url };
            return { kind: "input", ask: elicitationId ? { ...ask, elicitationId, page: pending.id } : ask };
          },
          answered: (pending) => complete(pending.id),
        },
        req,
      );
      // 2026 era: this round waited on the page its client said it opened, and the call ended meanwhile (cancelled, its
      // client gone, shutdown). A 2025 call waits on that page before its next round and records this end as the
      // question going unanswered (mcp/call-tool.ts); so does this one, not as a "pending" nobody will read.
      if (resumed && answer.kind === "pending" && req.call.signal.aborted)
        return {
          kind: "refused",
          reason: "elicitation-failed",
          why: `${unanswered(req.call.signal)}.`,
          next: UNANSWERED_NEXT,
        };
      return answer;
    },
  };
}

// The confirmation channels, strongest first, and which of them a confirmation may use: the available ones, in --confirm-via's order.
import { CONFIRM_CHANNELS, type ConfirmChannel } from "../../config/options.js";
import type { CodeBook } from "../codes.js";
import type { Channel, ChannelFacts } from "./channel.js";
import type { BrowserOpener } from "../page/opener.js";
import type { ConfirmationPages } from "../page/pages.js";
import { browserChannel } from "./browser.js";
import { codeChannel } from "./code.js";
import { formChannel } from "./form.js";
import { urlChannel } from "./url.js";

export type {
  Binding,
  Channel,
  ChannelAnswer,
  ChannelCall,
  ChannelFacts,
  ConfirmationAsk,
  FormResult,
  InputAsk,
  Resumed,
} from "./channel.js";
export { PREVIEW_PROGRESS } from "./channel.js";
export { askInTurn, type PassedOver, type Turn } from "./fall-through.js";

/** What a channel may be built with. */
export interface ChannelDeps {
  codes: CodeBook;
  /** Confirmation pages (URL elicitation, browser); without them those channels are unavailable. */
  pages?: ConfirmationPages | undefined;
  opener: BrowserOpener;
  /** --confirm-wait in ms: how long a call waits for an answer on a page. */
  waitMs: number;
  /** The guard's clock (a page's expiry is on it). */
  now: () => number;
}

/**
 * Every channel by its --confirm-via name (the table's CONFIRM_CHANNELS, strongest first: the default order), so a name
 * without a channel fails to compile. A new channel is one file and one line here and there.
 */
function channelsOf(d: ChannelDeps): { readonly [N in ConfirmChannel]: Channel } {
  return {
    form: formChannel,
    url: urlChannel(d.pages, d.waitMs, d.now),
    browser: browserChannel(d.pages, d.opener, d.waitMs),
    code: codeChannel(d.codes),
  };
}

export interface Channels {
  /** Every known channel, in the default order. */
  all: readonly Channel[];
  /** The ones --confirm-via allows, in its order. */
  order: readonly Channel[];
  /** The allowed channels available for this call (human ones only in strict mode), in order: the first is asked first. */
  candidates(facts: ChannelFacts): Channel[];
  /** The first of `candidates`, or undefined. */
  choose(facts: ChannelFacts): Channel | undefined;
  /** Why `choose` found nothing, and what would work: for the refusal. */
  unavailable(facts: ChannelFacts): { why: string; next: string };
  /** The allowed human channels available for this client, in order, whatever --confirm says: for the start-up line. */
  human(facts: ChannelFacts): Channel[];
}

/** `confirmVia` is resolved already: resolution refuses a name that is not a channel (config/read-options.ts). */
export function createChannels(deps: ChannelDeps, confirmVia: readonly ConfirmChannel[] | undefined): Channels {
  const byName = channelsOf(deps);
  const all = CONFIRM_CHANNELS.map((name) => byName[name]);
  const order = (confirmVia && confirmVia.length > 0 ? confirmVia : CONFIRM_CHANNELS).map((name) => byName[name]);
  const usable = (c: Channel, facts: ChannelFacts) =>
    (facts.mode === "auto" || c.human) && (!facts.fourEyes || c.secondPerson === true) && c.available(facts);
  return {
    all,
    order,
    candidates: (facts) => order.filter((c) => usable(c, facts)),
    choose: (facts) => order.find((c) => usable(c, facts)),
    human: (facts) => order.filter((c) => c.human && usable(c, facts)),
    unavailable(facts) {
      if (facts.fourEyes && !order.some((c) => c.secondPerson && c.available(facts))) {
        return {
          why: "this server asks a second person to approve destructive actions (--four-eyes), and no channel on which another signed-in person can answer is available here.",
          next: "Tell the user; an approver can do it in SailPoint ISC directly.",
        };
      }
      const mode =
        facts.mode === "strict"
          ? "this server is set to --confirm strict, which accepts only a confirmation a human gives on a screen the model cannot answer for"
          : `this server confirms only through ${order.map((c) => c.name).join(", ")} (--confirm-via)`;
      const client =
        facts.client.form || facts.client.url
          ? "no confirmation channel it allows works for this client"
          : "this client does not support elicitation";
      const clients = order
        .filter((c) => c.human)
        .map((c) => {
          const lacking = c.lacking?.(facts);
          return `from ${c.needs}${lacking ? ` (here ${lacking})` : ""}`;
        });
      const settings = all
        .filter((c) => !order.includes(c) && usable(c, facts))
        .map((c) => `whoever runs this server can add ${c.name} to --confirm-via`);
      const ways = [...clients, ...settings, "in SailPoint ISC directly"];
      return { why: `${mode}, and ${client}.`, next: `Tell the user; it can be done ${ways.join("; or ")}.` };
    },
  };
}

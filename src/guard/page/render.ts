// The confirmation page and the pages that answer it, as plain HTML forms: no script, every value escaped.
import { escapeHtml as e, valueHtml as v } from "./escape.js";
import { STYLE } from "./style.js";
import type { PageView } from "./view.js";

/** How many names of a mass action's identities the page lists. */
export const SAMPLE_SIZE = 10;

const utc = (ms: number) => `${new Date(ms).toISOString().slice(11, 16)} UTC`;

function layout(title: string, body: string, cls = ""): string {
  // The same-origin referrer policy lets this page's own form send its Origin back (under no-referrer browsers send
  // "Origin: null"); no other site ever gets a referrer, and the page links to none.
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin"><meta name="robots" content="noindex">
<title>${e(title)} · isc-identities-mcp</title><style>${STYLE}</style></head>
<body class="${cls}"><header><b>isc-identities-mcp</b> · confirmation for your AI assistant</header>
<main>${body}</main></body></html>`;
}

function row(label: string, valueHtml: string): string {
  return `<tr><th scope="row">${e(label)}</th><td>${valueHtml}</td></tr>`;
}

function details(view: PageView): string {
  const rows: string[] = [];
  const i = view.identity;
  if (i) {
    rows.push(row("Name", v(i.name)));
    if (i.alias !== undefined) rows.push(row("Alias", v(i.alias)));
    rows.push(row("Email", i.email !== undefined ? v(i.email) : "(none)"));
    if (i.status !== undefined) rows.push(row("Status", v(i.status)));
    rows.push(row("Lifecycle state", i.lifecycleState !== undefined ? v(i.lifecycleState) : "(none)"));
    if (view.owns) {
      const owns =
        view.owns.length === 0
          ? "nothing (checked just now)"
          : `<ul class="names">${view.owns.map((o) => `<li>${v(o.kind)}: ${v(o.name)}</li>`).join("")}</ul>`;
      rows.push(row("Owns", owns));
    }
    rows.push(row("Identity id", v(i.id)));
  }
  if (view.count !== undefined) rows.push(row("Identities affected", String(view.count)));
  if (view.sample && view.sample.length > 0) {
    const shown = view.sample.slice(0, SAMPLE_SIZE);
    const more =
      view.count !== undefined && view.count > shown.length ? `<li>… and ${view.count - shown.length} more</li>` : "";
    rows.push(
      row(
        view.count !== undefined && view.count > shown.length ? "First ones" : "Names",
        `<ul class="names">${shown.map((n) => `<li>${v(n)}</li>`).join("")}${more}</ul>`,
      ),
    );
  }
  rows.push(row("Tenant", v(view.tenant)));
  rows.push(row("Tool", v(view.tool)));
  return `<table>${rows.join("")}</table>`;
}

export interface FormState {
  expiresAt: number;
  /** Shown above the form after a wrong name. */
  error?: string;
}

/** The page a human answers: preview, then the typed name or a Confirm button, and always Cancel. */
export function confirmPage(view: PageView, state: FormState): string {
  const warning = view.destructive ? `<p class="warning">Destructive: this changes the identity for good.</p>` : "";
  const error = state.error ? `<p class="notice" role="alert">${e(state.error)}</p>` : "";
  const name = view.identity?.name ?? "";
  const ask =
    view.confirmBy === "name"
      ? `<label for="name">To confirm, type the identity's name: <span class="expected">${v(name)}</span></label>
<input type="text" id="name" name="name" required autocomplete="off" autocapitalize="off" spellcheck="false" autofocus>`
      : "";
  const body = `<h1>${e(view.title)}?</h1>
<p class="lead">${v(view.action, 1000)}</p>
<p>Your AI assistant asked for this. Nothing happens unless you confirm here; the assistant cannot answer this page.</p>
${warning}${details(view)}${error}
<form method="post">${ask}
<div class="buttons"><button type="submit" class="go" name="answer" value="confirm">${e(view.button)}</button>
<button type="submit" name="answer" value="cancel" formnovalidate>Cancel</button></div></form>
<p class="small">Values in the table are shown exactly as your tenant returned them; invisible characters appear as <span class="esc">\\u…</span> escapes. This page expires at ${utc(state.expiresAt)}.</p>`;
  return layout(view.title, body, view.destructive ? "destructive" : "");
}

export type Outcome =
  "confirmed" | "cancelled" | "already-confirmed" | "already-cancelled" | "expired" | "unknown" | "refused";

/** The page after an answer, or instead of the form: says what happened and what happens next. */
export function outcomePage(outcome: Outcome, view?: PageView, detail?: string): string {
  const back = "You can close this tab and go back to your assistant.";
  const [title, text] = ((): [string, string] => {
    switch (outcome) {
      case "confirmed":
        return [
          "Confirmed",
          `The assistant will now ${view?.next ?? "go ahead"}: it acts when it next asks this server (right away if it is still waiting, or when you tell it you answered). ${back}`,
        ];
      case "cancelled":
        return ["Cancelled", `Nothing was done, and nothing will be done for this request. ${back}`];
      case "already-confirmed":
        return [
          "Already answered",
          `This confirmation was already answered: confirmed. This answer changed nothing. ${back}`,
        ];
      case "already-cancelled":
        return [
          "Already answered",
          `This confirmation was already answered: cancelled; nothing was done. This answer changed nothing. ${back}`,
        ];
      case "expired":
        return [
          "This confirmation expired",
          `Nothing was done. If you still want this, ask your assistant to start again; it will open a new page. ${back}`,
        ];
      case "unknown":
        return ["No such confirmation", "This page does not exist, or it expired and was removed. Nothing was done."];
      case "refused":
        return ["Not accepted", `${detail ?? "This request was refused."} Nothing was done.`];
    }
  })();
  const what = view
    ? `<p class="lead">${e(view.title)}: ${view.identity ? v(view.identity.name) : view.count !== undefined ? `${view.count} identities` : ""}</p>`
    : "";
  return layout(title, `<h1>${e(title)}</h1>${what}<p>${e(text)}</p>`, "done");
}

// Values on the confirmation page: HTML-escaped, and every line, bidi, zero-width or control character shown as an escape.
import { escapeUnits, UNSAFE } from "../../core/quote.js";

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Plain HTML escaping, for text we wrote ourselves (still safe for any string). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * A value from the model or from ISC as HTML: escaped, bounded, with each character `quoted()`
 * escapes (line, bidi, zero-width, control) shown as its escape in a marked span, so it reads as
 * data and can never pose as the page's own words or break out of its cell.
 */
export function valueHtml(value: unknown, max = 200): string {
  const s = String(value ?? "");
  const bounded = [...s].length > max ? `${[...s].slice(0, max).join("")}…` : s;
  let out = "";
  let last = 0;
  for (const m of bounded.matchAll(UNSAFE)) {
    out += escapeHtml(bounded.slice(last, m.index));
    out += `<span class="esc" title="invisible character">${escapeUnits(m[0])}</span>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(bounded.slice(last));
}

/** The value as the page shows it in text (escapes spelled out), which is what a human can type back. */
export function shownText(value: string): string {
  return value.replace(UNSAFE, escapeUnits);
}

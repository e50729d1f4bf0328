// Values on the confirmation page: HTML-escaped, and every line, bidi, zero-width or control character shown as an escape.

/**
 * Characters that could draw a line of their own, reorder the text around them or hide in it:
 * C0/C1 controls, soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width and
 * direction marks, line and paragraph separators, bidi embeddings and isolates, invisible
 * operators, the byte-order mark and interlinear annotation marks.
 */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/gu;

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Plain HTML escaping, for text we wrote ourselves (still safe for any string). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** `\u202E` for U+202E: the form in which such a character is shown instead of being obeyed. */
export function codePointEscape(c: string): string {
  return `\\u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * A value from the model or from ISC as HTML: escaped, bounded, with each invisible character
 * replaced by its visible escape in a marked span, so it reads as data and can never pose as the
 * page's own words or break out of its cell.
 */
export function valueHtml(value: unknown, max = 200): string {
  const s = String(value ?? "");
  const bounded = [...s].length > max ? `${[...s].slice(0, max).join("")}…` : s;
  let out = "";
  let last = 0;
  for (const m of bounded.matchAll(INVISIBLE)) {
    out += escapeHtml(bounded.slice(last, m.index));
    out += `<span class="esc" title="invisible character">${codePointEscape(m[0])}</span>`;
    last = m.index + m[0].length;
  }
  return out + escapeHtml(bounded.slice(last));
}

/** The value as the page shows it in text (escapes spelled out), which is what a human can type back. */
export function shownText(value: string): string {
  return value.replace(INVISIBLE, codePointEscape);
}

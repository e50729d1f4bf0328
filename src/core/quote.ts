// Values from the model or ISC inside the server's own text: one-line JSON string literals, so data can never pose as our words.

/**
 * Characters that could draw a line of their own, reorder what a human reads, or hide text, even inside a JSON string:
 * controls (C0, DEL, C1 with U+0085), format characters (bidi U+202A-U+202E, U+2066-U+2069, U+200E/F, U+061C;
 * zero-width U+200B-U+200D, U+2060, U+FEFF; invisible tags), and the line and paragraph separators U+2028/U+2029.
 * JSON.stringify leaves all but the C0 controls as they are.
 */
export const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/** One such character as the `\\uXXXX` escapes of its UTF-16 units: the form in which it is shown instead of obeyed. */
export function escapeUnits(char: string): string {
  let out = "";
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`;
  return out;
}

/** A value as a JSON string literal: quotes, backslashes, line, bidi and invisible characters escaped; bounded to `max` characters. */
export function quoted(value: unknown, max = 200): string {
  const s = String(value ?? "");
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s).replace(UNSAFE, escapeUnits);
}

/** Ids, dates and enum values as they are when they look like one; anything else quoted. */
export function token(value: unknown): string {
  const s = String(value ?? "");
  return /^[A-Za-z0-9_.:+-]{1,80}$/.test(s) ? s : quoted(s);
}

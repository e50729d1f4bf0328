// ISC's values inside the server's own text: free text as JSON string literals, so data can never pose as the server's words.

/** A value from ISC as a one-line JSON string literal (quotes, newlines and control characters escaped), bounded. */
export function quoted(value: unknown, max = 200): string {
  const s = String(value ?? "");
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

/** Ids, dates and enum values as they are when they look like one; anything else quoted. */
export function token(value: unknown): string {
  const s = String(value ?? "");
  return /^[A-Za-z0-9_.:+-]{1,80}$/.test(s) ? s : quoted(s);
}

// Waits for a condition, not a time: a test that must see something happen first looks again every few milliseconds.

/**
 * Resolves once `check` holds; throws naming `what` after `tries` looks (at least 20 s at the default pace: the test's own
 * timeout ends it first). `everyMs` spaces looks that cost something (an HTTP request).
 */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  tries = 10_000,
  everyMs = 2,
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`never happened: ${what}`);
}

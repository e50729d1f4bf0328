// Waits for a condition, not a time: a test that must see something happen first looks again every few milliseconds.

/** Resolves once `check` holds; throws naming `what` after `tries` looks (at least 20 s: the test's own timeout ends it first). */
export async function until(check: () => boolean, what: string, tries = 10_000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`never happened: ${what}`);
}

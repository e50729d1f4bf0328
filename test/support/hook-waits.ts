// The CLI outputs a hook (beforeAll) still waits for: a hook that times out is named by vitest, not what it waited on; the file's end names it.

interface HookWait {
  what: string;
  stderr: () => string;
}

const waiting = new Set<HookWait>();

/**
 * Counts a wait begun outside a test (in a hook) until it settles: `done` takes it off. No clock: a hook's own timeout
 * ends the hook, and the wait is then reported when the file ends (fresh-process-state.ts) instead of left unsaid.
 */
export function waitingInHook(what: string, stderr: () => string): { done(): void } {
  const entry = { what, stderr };
  waiting.add(entry);
  return { done: () => void waiting.delete(entry) };
}

/** One message per wait a hook began that is still open, each with the CLI's stderr so far; forgotten once said. */
export function unfinishedHookWaits(): string[] {
  const said = [...waiting].map(
    (w) => `a hook ended (its timeout?) still waiting for ${w.what}; the CLI's stderr so far:\n${w.stderr()}`,
  );
  waiting.clear();
  return said;
}

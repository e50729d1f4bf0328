// What the guard remembers across calls, per process: spent confirmation codes and when each target was last acted on.
export interface GuardMemory {
  /** Spent codes and when they would have expired anyway (pruned after that). */
  usedCodes: Map<string, number>;
  /** Last time a cooldown-limited action ran, by tenant + tool + target. */
  lastRun: Map<string, number>;
}

export function createGuardMemory(): GuardMemory {
  return { usedCodes: new Map(), lastRun: new Map() };
}

/**
 * Shared by every guard in the process, so a code spent in one MCP session cannot be spent again
 * in another, and the sync limit holds whichever session asks.
 */
export const PROCESS_MEMORY: GuardMemory = createGuardMemory();

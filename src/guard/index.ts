// The guard's public surface for the MCP layer and the tools: the flow, plans, the store, previews' quoting, refusals.
export type { Actor } from "./actor.js";
export { createGuard, type Guard, type GuardCall, type GuardOptions, type GuardOutcome } from "./guard.js";
export type { ActResult, ConfirmBy, GuardPlan, PreviewSpec } from "./plan.js";
export { createMemoryStore, type GuardStore, type PendingAnswer, type PendingConfirmation } from "./store.js";
export { renderPreview, type Preview } from "./preview.js";
export { unanswered, UNANSWERED_NEXT } from "./unanswered.js";

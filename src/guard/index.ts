// The guard's public surface: tools call `ctx.guard.run(ctx, spec)` and shape its outcome with these helpers.
export { createGuard, type ActResult, type Guard, type GuardOptions, type GuardOutcome, type GuardSpec } from "./guard.js";
export { createGuardMemory, type GuardMemory } from "./store.js";
export { confirmationOutput, executedOutput, guardedOutput } from "../mcp/guarded-output.js";
export { INVITE_ALL_LIMIT, ownedBlocker } from "./preview.js";

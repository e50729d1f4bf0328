// The one ordered list of prompts the server offers.
import type { PromptDef } from "../src/mcp/define-prompt.js";
import { lockedOutUser } from "./locked-out-user.js";
import { offboardingPrecheck } from "./offboarding-precheck.js";
import { accessReview } from "./access-review.js";
import { processingError } from "./processing-error.js";

export const PROMPTS: readonly PromptDef[] = [lockedOutUser, offboardingPrecheck, accessReview, processingError];

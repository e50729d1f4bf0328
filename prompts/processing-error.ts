// Prompt: an identity is stuck in processing error; inspect it, then re-process or re-sync with consent.
import { CONFIRM_RULE, definePrompt } from "../src/mcp/define-prompt.js";
import { quoted } from "../src/core/quote.js";

export const processingError = definePrompt({
  name: "processing_error",
  title: "Identity stuck in processing error",
  description: "Inspect an identity whose processing failed, then re-process it or re-sync its attributes.",
  arguments: [
    {
      name: "who",
      description: "Name, alias, email or id; empty to find all identities in error.",
      required: false,
      complete: "identity",
    },
  ],
  tools: [
    "list_identities",
    "get_identity",
    "start_identity_processing",
    "synchronize_attributes_for_identity",
    "get_task_status",
  ],
  render: ({ who = "" }) =>
    [
      who
        ? `The identity ${quoted(who)} seems stuck in processing error.`
        : 'Find identities stuck in processing error with list_identities, filters processingState eq "ERROR".',
      "1. Read the identity with get_identity (view full) and report processingState, lifecycle state, last refresh and the attributes that look wrong.",
      "2. Propose one fix: start_identity_processing for the identity, or synchronize_attributes_for_identity when attributes are stale (at most once per 10 s per identity).",
      "3. Follow the work to its end. Processing starts a task: pass waitSeconds (e.g. 60) to wait for it, or call get_task_status with the returned taskId until it is finished, then report SUCCESS, or ERROR (with ISC's messages). A sync returns a job no endpoint reads back: check get_identity after a minute instead (lastRefresh changes when it is done).",
      "4. Finally read the identity again with get_identity and report whether processingState is OK now.",
      CONFIRM_RULE,
    ].join("\n"),
});

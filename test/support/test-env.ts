// Settings every test server gets unless a test says otherwise: waits that no test is about are made short.

/**
 * Retries back off 10 ms instead of 300: a test that is about the backoff passes --retry-backoff itself.
 * The request budget is off: at 95 per 10 s it paced any test making more than 16 calls in 2 s (a 50-call test took
 * 6 s); the tests about the budget pass --rate-limit themselves.
 * A scripted human answers a confirmation in microseconds, which --confirm-fast-answer would take for a
 * client declining unseen: 0 counts every answer as a person's; the tests about auto-declines set it.
 */
export const TEST_ENV: Readonly<Record<string, string>> = {
  ISC_MCP_RETRY_BACKOFF_MS: "10",
  ISC_MCP_CONFIRM_FAST_ANSWER: "0",
  ISC_MCP_RATE_LIMIT: "0",
};

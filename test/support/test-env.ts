// Settings every test server gets unless a test says otherwise: waits that no test is about are made short.

/** Retries back off 10 ms instead of 300: a test that is about the backoff passes --retry-backoff itself. */
export const TEST_ENV: Readonly<Record<string, string>> = { ISC_MCP_RETRY_BACKOFF_MS: "10" };

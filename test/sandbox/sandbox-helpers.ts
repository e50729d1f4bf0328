// Test helper for the sandbox tests: calls a sandbox's handler directly with a fresh token.
import type { Sandbox } from "../../src/sandbox/index.js";

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: <T = unknown>() => T;
}

export async function tokenFor(sandbox: Sandbox): Promise<string> {
  const res = await sandbox.handler(
    new Request("http://sandbox.test/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&client_id=${sandbox.clientId}&client_secret=${sandbox.clientSecret}`,
    }),
  );
  if (res.status !== 200) throw new Error(`token request failed: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  token?: string | null;
  version?: string;
}

/** A caller bound to one sandbox: `call("GET", "/identities?limit=1")` hits /v2025 with a valid token. */
export async function connect(
  sandbox: Sandbox,
): Promise<(method: string, path: string, opts?: CallOptions) => Promise<Reply>> {
  const token = await tokenFor(sandbox);
  return async (method, path, opts = {}) => {
    const headers: Record<string, string> = { "x-sailpoint-experimental": "true", ...opts.headers };
    const bearer = opts.token === undefined ? token : opts.token;
    if (bearer !== null) headers["authorization"] = `Bearer ${bearer}`;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    const res = await sandbox.handler(
      new Request(`http://sandbox.test/${opts.version ?? "v2025"}${path}`, {
        method,
        headers,
        ...(opts.body === undefined
          ? {}
          : { body: typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body) }),
      }),
    );
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
  };
}

/** The first message text of an ErrorResponseDto reply. */
export const messageOf = (reply: Reply): string =>
  reply.json<{ messages: Array<{ text: string }> }>().messages[0]?.text ?? "";

export const q = (filters: string): string => `/identities?defaultFilter=NONE&filters=${encodeURIComponent(filters)}`;

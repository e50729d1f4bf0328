// A known client secret and the live tokens never appear in stdout, stderr, results, errors, the audit log, HTTP answers or `config`.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import {
  initialize,
  serveTenant,
  spawnCli,
  type RawCli,
  type ServedTenant,
  waitForMcpUrl,
} from "../support/cli-process.js";
import { validCalls, WRITE_TOOLS } from "../support/tool-calls.js";

const SECRET = "kn0wn-S3cret&=+/%?#ü-7f3a9c";
const HTTP_TOKEN = "http-bearer-5d2e8a1c9b7f4e3a";
const CONFIRM_KEY = "confirm-key-0a1b2c3d4e5f60718293";
const home = mkdtempSync(join(tmpdir(), "isc-secrets-"));
let tenant: ServedTenant;
let env: Record<string, string>;
beforeAll(async () => {
  tenant = await serveTenant({ clientSecret: SECRET });
  // A scratch HOME and cwd: no config file of the machine's user is read.
  // A shared key needs a shared store, or this process's word that it is alone.
  env = { ...tenant.env, HOME: home, USERPROFILE: home, ISC_MCP_CONFIRM_KEY: CONFIRM_KEY, ISC_MCP_SINGLE_REPLICA: "1" };
});
afterAll(() => tenant.served.close());

/** The secret as sent in the token request's form body, too. */
const forms = (s: string) => [s, new URLSearchParams({ s }).toString().slice(2), encodeURIComponent(s)];
const issuedTokens = () => [
  ...new Set(
    tenant.sandbox.requests
      .map((r) => /^Bearer (\S+)$/.exec(r.headers.authorization ?? "")?.[1])
      .filter((t): t is string => Boolean(t)),
  ),
];

function expectClean(label: string, ...texts: string[]): void {
  const tokens = issuedTokens();
  expect(tokens.length, "the test saw at least one token").toBeGreaterThan(0);
  for (const text of texts) {
    for (const s of [...forms(SECRET), HTTP_TOKEN, CONFIRM_KEY, ...tokens])
      expect(text.includes(s), `${label} leaks ${s.slice(0, 6)}…`).toBe(false);
  }
}

/** The failure a fault must have caused: an error result whose text only that fault produces (so no fault went unused). */
function expectFault(result: unknown, fault: RegExp): void {
  const res = result as CallToolResult;
  const text = res.content?.[0]?.type === "text" ? res.content[0].text : "";
  expect(res.isError, `expected ${fault} but got: ${text}`).toBe(true);
  expect(text).toMatch(fault);
}

/** Every failure path we can provoke, with the live token and the secret echoed back by "ISC" where an error body allows. */
async function failurePaths(call: (name: string, args: Record<string, unknown>) => Promise<unknown>): Promise<void> {
  const calls = validCalls(tenant.sandbox);
  const get = calls.get("get_identity")!;
  const token = issuedTokens().at(-1)!;
  const echo = JSON.stringify({
    messages: [{ text: `rejected Bearer ${token} for client_secret=${SECRET}` }],
    trackingId: "abc123",
  });
  tenant.sandbox.inject({ path: /^\/v2025\//, status: 400, body: echo });
  expectFault(
    await call("get_identity", get),
    /^get_identity failed\. ISC answered GET \/v2025\/identities\/\w+ with HTTP 400: "rejected Bearer /,
  );
  tenant.sandbox.inject({ path: /^\/v2025\//, status: 500, count: 4 });
  expectFault(await call("list_identities", { limit: 1 }), /with HTTP 500: "An internal fault occurred\."/);
  tenant.sandbox.inject({ path: /^\/v2025\//, reset: true, count: 4 });
  expectFault(await call("get_identity", get), /Could not reach ISC for GET \/v2025\/identities\//);
  tenant.sandbox.inject({ path: /^\/v2025\//, body: `not json ${token} ${SECRET}` });
  expectFault(await call("get_identity", get), /with HTTP 200 and a body that is not JSON/);
  tenant.sandbox.inject({
    path: /^\/v2025\//,
    status: 401,
    body: JSON.stringify({ error: `JWT ${token} is invalid` }),
    count: 2,
  });
  expectFault(await call("get_identity", get), /with HTTP 401: "JWT /);
  tenant.sandbox.expireTokens();
  tenant.sandbox.inject({
    path: "/oauth/token",
    status: 401,
    body: JSON.stringify({ error: "invalid_client", error_description: `client_secret ${SECRET} is wrong` }),
  });
  expectFault(
    await call("get_identity", get),
    /The token endpoint \S+ rejected the client credentials: "client_secret /,
  );
  tenant.sandbox.inject({ path: "/oauth/token", body: `{"access_token": ${JSON.stringify(SECRET)}` });
  expectFault(await call("get_identity", get), /The token endpoint \S+ answered with a body that is not JSON/);
  expectFault(
    await call("get_identity", { identityId: `${SECRET}/../${token}` }),
    /^Invalid arguments for tool "get_identity"/,
  );
  expectFault(
    await call("delete_identity", { identityId: get.identityId, confirmationCode: `${token}` }),
    /not issued for this tool with these exact arguments/,
  );
  tenant.sandbox.clearFaults();
}

async function everyTool(call: (name: string, args: Record<string, unknown>) => Promise<unknown>): Promise<void> {
  for (const [name, args] of validCalls(tenant.sandbox)) {
    const first = (await call(name, args)) as CallToolResult;
    // Guarded tools: complete the confirmation with the code, so the acting path and its audit line run too.
    const code = (first.structuredContent as { confirmationCode?: string } | undefined)?.confirmationCode;
    if (code && WRITE_TOOLS.includes(name) && name !== "delete_identity")
      await call(name, { ...args, confirmationCode: code });
  }
}

describe("secrets stay secret", () => {
  it("stdio: every tool and every failure path, with debug logging and the audit log on stderr", async () => {
    const cli: RawCli = spawnCli(["--confirm", "auto", "--log-level", "debug", "--rate-limit", "0"], env, home);
    initialize(cli);
    await cli.response(0);
    let id = 0;
    const results: string[] = [];
    const call = async (name: string, args: Record<string, unknown>) => {
      cli.send({ jsonrpc: "2.0", id: ++id, method: "tools/call", params: { name, arguments: args } });
      const message = await cli.response(id);
      expect(message.error, `${name} must answer with a tool result`).toBeUndefined();
      results.push(JSON.stringify(message));
      return message.result;
    };
    await everyTool(call);
    await failurePaths(call);
    cli.child.stdin!.end();
    expect((await cli.exited).code).toBe(0);
    // The run really exercised the failure paths and wrote audit lines.
    expect(results.join("\n")).toMatch(/\*\*\*/);
    expect(cli.stderr()).toMatch(/"outcome":"executed"/);
    expectClean("stdio", cli.stdout(), cli.stderr(), ...results);
  }, 60_000);

  it("HTTP transport with a bearer token, and an audit log file", async () => {
    const audit = join(home, "audit.jsonl");
    const cli = spawnCli(
      ["--http", "--port", "0", "--confirm", "auto", "--log-level", "debug", "--audit-log", audit, "--rate-limit", "0"],
      { ...env, ISC_MCP_HTTP_TOKEN: HTTP_TOKEN },
      home,
    );
    try {
      const url = await waitForMcpUrl(cli);
      const client = new Client({ name: "secrets", version: "1.0.0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), {
          requestInit: { headers: { authorization: `Bearer ${HTTP_TOKEN}` } },
        }),
      );
      const results: string[] = [];
      const call = async (name: string, args: Record<string, unknown>) => {
        const res = await client.callTool({ name, arguments: args });
        results.push(JSON.stringify(res));
        return res;
      };
      await everyTool(call);
      await failurePaths(call);
      await client.close();
      const unauthorized = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer wrong" },
        body: "{}",
      });
      const refusal = await unauthorized.text();
      expect(unauthorized.status).toBe(401);
      cli.child.kill("SIGTERM");
      expect((await cli.exited).code).toBe(0);
      const lines = readFileSync(audit, "utf8");
      expect(lines).toMatch(/"outcome":"executed"/);
      expectClean("http", cli.stdout(), cli.stderr(), lines, refusal, ...results);
    } finally {
      cli.child.kill("SIGKILL");
    }
  }, 60_000);

  it("`config` shows the secret masked and checks the credentials without printing the token", async () => {
    const before = tenant.sandbox.requests.filter((r) => r.path === "/oauth/token").length;
    // Not spawnSync: the sandbox answering the token request lives in this process's event loop.
    const run = spawnCli(["config"], { ...env, ISC_MCP_HTTP_TOKEN: HTTP_TOKEN }, home);
    expect((await run.exited).code).toBe(0);
    expect(run.stdout()).toMatch(/SAIL_CLIENT_SECRET\s+set, \d+ characters \(masked\)/);
    expect(run.stdout()).toMatch(/✓ credentials work/);
    expect(tenant.sandbox.requests.filter((r) => r.path === "/oauth/token").length).toBe(before + 1);
    expectClean("config", run.stdout(), run.stderr());
  });
});

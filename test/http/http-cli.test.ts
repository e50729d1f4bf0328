// The built CLI with --http, for both builds (tsc output and the shipped bundle): startup line, a session, refusals, clean exit.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { cliStarts } from "../support/cli-process.js";
import { until } from "../support/until.js";

const BUILDS = {
  "tsc output": fileURLToPath(new URL("../../dist/src/cli/main.js", import.meta.url)),
  bundle: fileURLToPath(new URL("../../dist/bundle/src/cli/main.js", import.meta.url)),
};
const cleanEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("SAIL_") && !k.startsWith("ISC_MCP_")),
  ) as Record<string, string>;

describe.each(Object.entries(BUILDS))("built CLI over HTTP (%s)", cliStarts(4), (_name, cli) => {
  it("prints the chosen port, serves a session, and exits cleanly on SIGTERM", async () => {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` (npm test does it for you)`);
    const child = spawn(process.execPath, [cli, "--sandbox", "--http", "--port", "0"], {
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
        const m = /serving MCP on (http:\/\/127\.0\.0\.1:(\d+)\/mcp) \(sessions/.exec(stderr);
        if (m?.[1] && m[2] !== "0") resolve(m[1]);
      });
      child.on("exit", () => reject(new Error(`exited early: ${stderr}`)));
    });
    const client = new Client({ name: "http-cli", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("list_identities");
    await client.close();
    // A refused Host: the operator's log says why and what to do, not just "Forbidden".
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        url,
        { method: "POST", headers: { host: "rebind.example", "content-type": "application/json" } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on("error", reject);
      req.end("{}");
    });
    expect(status).toBe(403);
    await until(() => /HTTP 403/.test(stderr), "the 403's log line");
    expect(stderr).toMatch(
      /HTTP 403 for POST \/mcp: Forbidden: Host "rebind\.example" is not allowed\. Add it with --allowed-hosts/,
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/shutting down \(SIGTERM\)/);
    expect(stdout).toBe("");
  });

  it("logs a 401 with its reason, never the token", async () => {
    const token = "http-token-for-the-401-test";
    const child = spawn(process.execPath, [cli, "--sandbox", "--http", "--port", "0"], {
      env: { ...cleanEnv(), ISC_MCP_HTTP_TOKEN: token },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
        const m = /serving MCP on (http:\/\/127\.0\.0\.1:(\d+)\/mcp)/.exec(stderr);
        if (m?.[1] && m[2] !== "0") resolve(m[1]);
      });
      child.on("exit", () => reject(new Error(`exited early: ${stderr}`)));
    });
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer wrong" },
      body: "{}",
    });
    expect(res.status).toBe(401);
    await until(() => /HTTP 401/.test(stderr), "the 401's log line");
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    expect(stderr).toMatch(/HTTP 401 for POST \/mcp: Unauthorized: send Authorization: Bearer <ISC_MCP_HTTP_TOKEN>\./);
    expect(stderr).not.toContain(token);
  });

  it("refuses to start off loopback without ISC_MCP_HTTP_TOKEN, and stateless without ISC_MCP_CONFIRM_KEY", () => {
    const open = spawnSync(process.execPath, [cli, "--sandbox", "--http", "--host", "0.0.0.0", "--port", "0"], {
      env: cleanEnv(),
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(open.status).toBe(2);
    expect(open.stderr).toMatch(
      /^isc-identities-mcp: --host 0\.0\.0\.0 is reachable from other machines: set ISC_MCP_HTTP_TOKEN/,
    );
    const stateless = spawnSync(
      process.execPath,
      [cli, "--sandbox", "--http", "--stateless", "--single-replica", "--port", "0"],
      { env: cleanEnv(), encoding: "utf8", timeout: 10_000 },
    );
    expect(stateless.status).toBe(2);
    expect(stateless.stderr).toMatch(/--stateless needs ISC_MCP_CONFIRM_KEY/);
  });

  it("with sign-in but no page to show (--read-only, --stateless) starts without the page's own --oauth-client-id; under --stateless it says how to turn the page on", async () => {
    const oauth = ["--oauth-issuer", "http://127.0.0.1:1/", "--oauth-audience", "http://127.0.0.1:3000/mcp"];
    const env = { ...cleanEnv(), ISC_MCP_CONFIRM_KEY: "k".repeat(32) };
    for (const extra of [
      ["--read-only", "--single-replica"],
      ["--stateless", "--single-replica"],
    ]) {
      const child = spawn(process.execPath, [cli, "--sandbox", "--http", "--port", "0", ...oauth, ...extra], {
        env,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      const started = await new Promise<boolean>((resolve) => {
        child.stderr.on("data", (c: Buffer) => {
          stderr += c.toString();
          if (/serving MCP on http:\/\/127\.0\.0\.1:\d+\/mcp/.test(stderr)) resolve(true);
        });
        child.on("exit", () => resolve(false));
      });
      child.kill("SIGTERM");
      expect(started, `${extra.join(" ")}: ${stderr}`).toBe(true);
      // Read-only needs no page; under --stateless a client with URL elicitation only could use one (signin-stateless-e2e).
      if (extra.includes("--read-only")) expect(stderr).not.toContain("--oauth-client-id");
      else expect(stderr).toContain("(set --oauth-client-id to turn the page on)");
    }
    // With a page to show, the same settings refuse to start, naming what to set.
    const paged = spawnSync(process.execPath, [cli, "--sandbox", "--http", "--port", "0", ...oauth], {
      env,
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(paged.status).toBe(2);
    expect(paged.stderr).toMatch(/needs this server's own client there: set --oauth-client-id/);
  });

  it("refuses --stateless without --redis-url (each replica would spend codes alone) unless --single-replica says it is the only one", () => {
    const env = { ...cleanEnv(), ISC_MCP_CONFIRM_KEY: "k".repeat(32) };
    const shared = spawnSync(process.execPath, [cli, "--sandbox", "--http", "--stateless", "--port", "0"], {
      env,
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(shared.status).toBe(2);
    // One line, naming the flag that fixes it.
    expect(shared.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(shared.stderr).toMatch(/^isc-identities-mcp: --stateless needs --redis-url .*--single-replica/);
    expect(shared.stdout).toBe("");
  });
});

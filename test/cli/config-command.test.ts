// `isc-identities-mcp config`: every value with its source, secrets masked, and a token check against the sandbox on loopback.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFiles } from "../../src/config/files.js";
import { runConfigCommand } from "../../src/cli/config.js";
import { resolveConfig } from "../../src/config/resolve.js";
import { createSandbox, serveSandbox, type ServedSandbox } from "../../src/sandbox/index.js";

let served: ServedSandbox;
beforeAll(async () => {
  served = await serveSandbox(
    createSandbox({ identities: 10, clientId: "cfg-client", clientSecret: "cfg-secret-value" }),
  );
});
afterAll(() => served.close());

async function run(argv: string[], env: Record<string, string>) {
  const lines: string[] = [];
  const code = await runConfigCommand(
    resolveConfig(["config", ...argv], env, {
      sdkJson: { path: "/proj/config.json", clientSecret: "cfg-secret-value" },
    }),
    { out: (l) => lines.push(l) },
  );
  return { code, text: lines.join("\n"), lines };
}

describe("config command", () => {
  it("shows each value's source, masks the secret, and confirms the credentials with a token", async () => {
    const { code, text, lines } = await run(["--read-only"], {
      SAIL_BASE_URL: served.url,
      SAIL_CLIENT_ID: "cfg-client",
      ISC_MCP_HTTP_TOKEN: "http-token-value",
    });
    expect(code).toBe(0);
    expect(text).not.toContain("cfg-secret-value");
    expect(text).not.toContain("http-token-value");
    expect(lines.find((l) => l.includes("--base-url"))).toMatch(new RegExp(`${served.url}\\s+from SAIL_BASE_URL`));
    expect(lines.find((l) => l.includes("SAIL_CLIENT_SECRET"))).toMatch(
      /set, 16 characters \(masked\)\s+from \/proj\/config\.json/,
    );
    expect(lines.find((l) => l.includes("--read-only"))).toMatch(/true\s+from --read-only/);
    expect(lines.find((l) => l.includes("--api-version"))).toMatch(/v1\s+from default/);
    expect(lines.at(-1)).toBe(`✓ credentials work: ${served.url}/oauth/token issued a token to client cfg-client.`);
  });

  it("ends with one clear failure line when the token endpoint refuses", async () => {
    const { code, lines } = await run([], { SAIL_BASE_URL: served.url, SAIL_CLIENT_ID: "wrong-client" });
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(/^✗ credentials failed: The token endpoint .* rejected the client credentials/);
  });

  it("says what is missing instead of checking", async () => {
    const lines: string[] = [];
    const code = await runConfigCommand(resolveConfig(["config"], {}), { out: (l) => lines.push(l) });
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(
      /^✗ credentials not checked: missing SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET/,
    );
  });
});

describe("config command and broken config files", () => {
  it("reports a config file that cannot be read, even when no value was needed from it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "isc-mcp-cfg-"));
    writeFileSync(join(dir, "config.json"), "{ not json");
    const files = await loadConfigFiles({ cwd: dir, home: dir });
    const env = { SAIL_BASE_URL: served.url, SAIL_CLIENT_ID: "cfg-client", SAIL_CLIENT_SECRET: "cfg-secret-value" };
    const lines: string[] = [];
    const code = await runConfigCommand(resolveConfig(["config"], env, files), {
      out: (l) => lines.push(l),
      fileProblems: files.problems ?? [],
    });
    expect(code).toBe(0);
    expect(lines.find((l) => l.startsWith("! "))).toMatch(
      new RegExp(`^! ${join(dir, "config.json").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} could not be read`),
    );
  });
});

describe("config names the real cause when the token check fails", () => {
  const env = { SAIL_CLIENT_ID: "cfg-client", SAIL_CLIENT_SECRET: "cfg-secret-value" };
  let silent: Server;
  let silentPort: number;
  let plain: Server;
  let plainPort: number;
  let refusedPort: number;
  const sockets = new Set<Socket>();
  /** Connections the silent listener accepted: each is one attempt of the token check. */
  let silentConnections = 0;
  beforeAll(async () => {
    // Accepts connections and never answers: what a firewall-less black hole or a hung proxy looks like.
    silent = createServer((socket) => {
      silentConnections++;
      sockets.add(socket);
    });
    silentPort = await listen(silent);
    // Speaks plain HTTP: an https:// base URL pointing at it fails the TLS handshake.
    plain = createServer((socket) => {
      sockets.add(socket);
      socket.on("data", () => socket.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n"));
    });
    plainPort = await listen(plain);
    // A port that was just free: nothing listens there.
    const probe = createServer();
    refusedPort = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await Promise.all([silent, plain].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  // What a failure is called, not how long it took: the words name the cause (refused, DNS, timeout), which is what
  // tells a fast refusal from a wait for the timeout, and they cannot depend on the machine's speed.
  const check = (url: string, argv: string[] = []) => run(argv, { ...env, SAIL_BASE_URL: url });

  it("a refused connection: named with host and port, credentials not blamed", async () => {
    const { code, lines } = await check(`http://127.0.0.1:${refusedPort}`);
    expect(code).toBe(1);
    expect(lines.at(-2)).toBe(
      `  contacting http://127.0.0.1:${refusedPort}/oauth/token (127.0.0.1:${refusedPort}, up to 15 s)…`,
    );
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^✗ token check failed: Could not reach the token endpoint .*: connection refused by 127\\.0\\.0\\.1:${refusedPort} \\(nothing listens on that port\\)`,
      ),
    );
    expect(lines.at(-1)).not.toMatch(/SAIL_CLIENT_ID|SAIL_CLIENT_SECRET|credentials/);
  });

  it("an unresolvable host name (reserved .invalid): a DNS failure", async () => {
    const { code, lines } = await check("https://no-such-tenant.invalid");
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(
      /^✗ token check failed: Could not reach the token endpoint https:\/\/no-such-tenant\.invalid\/oauth\/token: DNS lookup failed for no-such-tenant\.invalid \((ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)/,
    );
    expect(lines.at(-1)).not.toMatch(/SAIL_CLIENT_ID|SAIL_CLIENT_SECRET|credentials/);
  });

  it("a listener that never answers: a timeout after --request-timeout, said before the wait, one retry at most", async () => {
    const before = silentConnections;
    const { code, lines } = await check(`http://127.0.0.1:${silentPort}`, ["--request-timeout", "1000"]);
    expect(code).toBe(1);
    expect(lines.at(-2)).toBe(
      `  contacting http://127.0.0.1:${silentPort}/oauth/token (127.0.0.1:${silentPort}, up to 1 s)…`,
    );
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^✗ token check failed: The token endpoint .* did not answer within 1000 ms \\(127\\.0\\.0\\.1:${silentPort}, timeout`,
      ),
    );
    expect(lines.at(-1)).not.toMatch(/SAIL_CLIENT_ID|SAIL_CLIENT_SECRET|credentials/);
    // One attempt and one retry at most, each ended by the timeout the message names.
    expect(silentConnections - before).toBeGreaterThanOrEqual(1);
    expect(silentConnections - before).toBeLessThanOrEqual(2);
  });

  it("a TLS failure: named as such with host and port", async () => {
    const { code, lines } = await check(`https://127.0.0.1:${plainPort}`);
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^✗ token check failed: Could not reach the token endpoint .*: TLS handshake with 127\\.0\\.0\\.1:${plainPort} failed`,
      ),
    );
  });

  it("the tenant's web address instead of its API: did you mean …api…?", () => {
    expect(() => resolveConfig(["config"], { ...env, SAIL_BASE_URL: "https://acme.identitynow.com" })).toThrow(
      "SAIL_BASE_URL https://acme.identitynow.com is the tenant's web address, not its API: did you mean https://acme.api.identitynow.com?",
    );
    expect(() => resolveConfig([], { ...env, SAIL_BASE_URL: "https://Acme.identitynow-demo.com/" })).toThrow(
      /did you mean https:\/\/acme\.api\.identitynow-demo\.com\?/,
    );
    expect(resolveConfig([], { ...env, SAIL_BASE_URL: "https://acme.api.identitynow.com" }).config.baseUrl).toBe(
      "https://acme.api.identitynow.com",
    );
  });

  it("unset values say not set, with no source", async () => {
    const { lines } = await run([], { SAIL_BASE_URL: served.url, SAIL_CLIENT_ID: "cfg-client" });
    expect(lines.find((l) => l.includes("ISC_MCP_CONFIRM_KEY"))).toMatch(
      /^ {2}ISC_MCP_CONFIRM_KEY\s+not set \(a random key per process\)$/,
    );
    expect(lines.find((l) => l.includes("--audit-log"))).toMatch(/^ {2}--audit-log\s+not set$/);
    expect(lines.find((l) => l.includes("--request-timeout"))).toMatch(/30000\s+from default$/);
  });
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

// `isc-identities-mcp config`: every value with its source, secrets masked, and a token check against the sandbox on loopback.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfigFiles } from "../src/config/files.js";
import { runConfigCommand } from "../src/cli/config.js";
import { resolveConfig } from "../src/config/resolve.js";
import { createSandbox, serveSandbox, type ServedSandbox } from "../src/sandbox/index.js";

let served: ServedSandbox;
beforeAll(async () => {
  served = await serveSandbox(createSandbox({ identities: 10, clientId: "cfg-client", clientSecret: "cfg-secret-value" }));
});
afterAll(() => served.close());

async function run(argv: string[], env: Record<string, string>) {
  const lines: string[] = [];
  const code = await runConfigCommand(resolveConfig(["config", ...argv], env, { sdkJson: { path: "/proj/config.json", clientSecret: "cfg-secret-value" } }), { out: (l) => lines.push(l), env });
  return { code, text: lines.join("\n"), lines };
}

describe("config command", () => {
  it("shows each value's source, masks the secret, and confirms the credentials with a token", async () => {
    const { code, text, lines } = await run(["--read-only"], { SAIL_BASE_URL: served.url, SAIL_CLIENT_ID: "cfg-client", ISC_MCP_HTTP_TOKEN: "http-token-value" });
    expect(code).toBe(0);
    expect(text).not.toContain("cfg-secret-value");
    expect(text).not.toContain("http-token-value");
    expect(lines.find((l) => l.includes("--base-url"))).toMatch(new RegExp(`${served.url}\\s+from SAIL_BASE_URL`));
    expect(lines.find((l) => l.includes("SAIL_CLIENT_SECRET"))).toMatch(/set, 16 characters \(masked\)\s+from \/proj\/config\.json/);
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
    const code = await runConfigCommand(resolveConfig(["config"], {}), { out: (l) => lines.push(l), env: {} });
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(/^✗ credentials not checked: missing SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET/);
  });
});

describe("config command and broken config files", () => {
  it("reports a config file that cannot be read, even when no value was needed from it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "isc-mcp-cfg-"));
    writeFileSync(join(dir, "config.json"), "{ not json");
    const files = loadConfigFiles({ cwd: dir, home: dir });
    const env = { SAIL_BASE_URL: served.url, SAIL_CLIENT_ID: "cfg-client", SAIL_CLIENT_SECRET: "cfg-secret-value" };
    const lines: string[] = [];
    const code = await runConfigCommand(resolveConfig(["config"], env, files), { out: (l) => lines.push(l), env, fileProblems: files.problems ?? [] });
    expect(code).toBe(0);
    expect(lines.find((l) => l.startsWith("! "))).toMatch(new RegExp(`^! ${join(dir, "config.json").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} could not be read`));
  });
});

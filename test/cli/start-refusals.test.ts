// The built CLI's start-up refusals a newcomer meets: each names the option, variable or file to change.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { OPTIONS } from "../../src/config/options.js";
import { resolveConfig } from "../../src/config/resolve.js";
import { createSandbox, serveSandbox } from "../../src/sandbox/index.js";
import { CLI, assertBuilt, cleanEnv, cliStarts, spawnCli, startStdioCli } from "../support/cli-process.js";

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// An empty home and working folder: a developer's own ./config.json or ~/.sailpoint/config.yaml must not leak in.
const EMPTY = mkdtempSync(join(tmpdir(), "isc-mcp-refusals-"));

/** Runs the built CLI to its end (each of these refuses before serving, so it ends by itself); its stdin is closed. */
function run(args: string[], env: Record<string, string> = {}, cwd = EMPTY) {
  assertBuilt();
  const done = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...cleanEnv(), HOME: EMPTY, USERPROFILE: EMPTY, ...env },
    cwd,
    input: "",
    encoding: "utf8",
  });
  return { status: done.status, stdout: done.stdout, stderr: done.stderr.trim() };
}

describe("start-up refusals of the built CLI", cliStarts(8), () => {
  it("refuses --four-eyes over stdio, and `config` does not call it fine, naming the HTTP sign-in flags", () => {
    const served = run(["--sandbox", "--four-eyes", "--confirm", "strict"]);
    expect(served.status).toBe(2);
    expect(served.stdout).toBe("");
    expect(served.stderr).toBe(
      "isc-identities-mcp: --four-eyes needs sign-in, which only the HTTP transport has: add --http --oauth-issuer … --oauth-audience … --oauth-client-id … (the confirmation page signs the approver in).",
    );
    const shown = run(["config", "--sandbox", "--four-eyes", "--confirm", "strict"]);
    expect(shown.status).toBe(2);
    expect(shown.stdout).not.toContain("✓");
    expect(shown.stderr).toMatch(/--four-eyes needs sign-in.*--http --oauth-issuer/);
  });

  it("says a negative number is not accepted, instead of parseArgs' 'argument is ambiguous'", () => {
    const negative = run(["--sandbox", "--max-retry-after", "-1"]);
    expect(negative.status).toBe(2);
    expect(negative.stderr).toBe('isc-identities-mcp: --max-retry-after must be a non-negative number, got "-1".');
    const missing = run(["--sandbox", "--confirm-ttl"]);
    expect(missing.stderr).toBe(
      "isc-identities-mcp: --confirm-ttl needs a value (--confirm-ttl SECONDS). Run with --help to see the options.",
    );
  });

  it("points a secret's guessed flag at its environment variable, without echoing the value", () => {
    const secret = "s3cret-on-the-command-line";
    for (const [flag, variable] of [
      ["client-secret", "SAIL_CLIENT_SECRET"],
      ["http-token", "ISC_MCP_HTTP_TOKEN"],
      ["confirm-key", "ISC_MCP_CONFIRM_KEY"],
      ["oauth-client-secret", "ISC_MCP_OAUTH_CLIENT_SECRET"],
    ]) {
      const out = run(["--sandbox", `--${flag}`, secret]);
      expect(out.status).toBe(2);
      expect(out.stderr).toBe(
        `isc-identities-mcp: --${flag} is not an option: secrets are read from the environment only (flags show up in process lists). Set ${variable} instead.`,
      );
    }
  });
});

describe("a port already in use", () => {
  it("names --port and 0 for a free one, instead of 'failed to start: listen EADDRINUSE'", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = taken.address() as AddressInfo;
      const out = run(["--sandbox", "--http", "--port", String(port), "--confirm", "strict"]);
      expect(out.status).toBe(2);
      expect(out.stderr).toBe(
        `isc-identities-mcp: port ${port} of 127.0.0.1 is already in use: pick another with --port (0 takes a free one), or stop what listens there.`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe("a ./config.json the SDK would not read", () => {
  it("is named, with the keys to rename, when its values are what is missing", () => {
    const cwd = mkdtempSync(join(tmpdir(), "isc-mcp-json-case-"));
    const file = join(cwd, "config.json");
    writeFileSync(
      file,
      JSON.stringify({ baseUrl: "https://acme.api.identitynow.com", clientId: "cid", client_secret: "hush-123" }),
    );
    const out = run([], {}, cwd);
    expect(out.status).toBe(2);
    expect(out.stderr).toBe(
      `isc-identities-mcp: Missing SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET. ${file} was read, but not its keys, which SailPoint's SDK spells exactly (case included): rename baseUrl → BaseURL, clientId → ClientId, client_secret → ClientSecret. Set SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET (a personal access token's client id and secret), or run with --sandbox to try the built-in sandbox tenant.`,
    );
    expect(out.stderr).not.toContain("hush-123");
  });
});

describe("a base URL or credentials that came from a file", () => {
  it("is named by where it came from when refused, not as SAIL_BASE_URL", () => {
    const cwd = mkdtempSync(join(tmpdir(), "isc-mcp-json-url-"));
    const file = join(cwd, "config.json");
    writeFileSync(file, JSON.stringify({ BaseURL: "http://acme.example.com", ClientId: "cid", ClientSecret: "s" }));
    const out = run([], {}, cwd);
    expect(out.status).toBe(2);
    expect(out.stderr).toBe(
      `isc-identities-mcp: The base URL (from ${file}) must use https (plain http is only allowed for loopback addresses): "http://acme.example.com".`,
    );
  });

  it("are named by where they came from when the token endpoint refuses the credentials", async () => {
    const served = await serveSandbox(
      createSandbox({ identities: 5, clientId: "real-id", clientSecret: "real-secret" }),
    );
    try {
      const cwd = mkdtempSync(join(tmpdir(), "isc-mcp-json-token-"));
      const file = join(cwd, "config.json");
      writeFileSync(file, JSON.stringify({ BaseURL: served.url, ClientId: "wrong-id", ClientSecret: "wrong-secret" }));
      const cli = spawnCli(["config"], { ...cleanEnv(), HOME: cwd, USERPROFILE: cwd }, cwd);
      expect((await cli.exited).code).toBe(1);
      expect(cli.stdout().trimEnd().split("\n").at(-1)).toMatch(
        new RegExp(
          `^✗ credentials failed: .*rejected the client credentials.* Check ClientId and ClientSecret in ${escaped(file)} \\(a personal access token's client id and secret\\) and the base URL \\(from ${escaped(file)}\\)\\.$`,
        ),
      );
    } finally {
      await served.close();
    }
  });
});

describe("credentials from two places, refused while serving", cliStarts(1), () => {
  // The hint a tool call carries names the variable for one and the file's key for the other.
  it("names SAIL_CLIENT_ID and ClientSecret in ./config.json, each where it was set", async () => {
    const served = await serveSandbox(
      createSandbox({ identities: 5, clientId: "real-id", clientSecret: "real-secret" }),
    );
    const cwd = mkdtempSync(join(tmpdir(), "isc-mcp-json-secret-"));
    const file = join(cwd, "config.json");
    writeFileSync(file, JSON.stringify({ ClientSecret: "wrong-secret" }));
    const env = { ...cleanEnv(), HOME: cwd, USERPROFILE: cwd, SAIL_BASE_URL: served.url, SAIL_CLIENT_ID: "real-id" };
    const cli = await startStdioCli([], env, cwd);
    try {
      const result = (await cli.client.callTool({ name: "list_identities", arguments: {} })) as CallToolResult;
      expect(result.isError).toBe(true);
      const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
      expect(text).toContain(
        `Check SAIL_CLIENT_ID and ClientSecret in ${file} (a personal access token's client id and secret) and SAIL_BASE_URL.`,
      );
    } finally {
      await cli.client.close();
      await served.close();
    }
  });
});

describe("--help's option texts", () => {
  it("asks for a personal access token, names both ways off loopback, and says the confirm key seals requestState", () => {
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    const line = (start: RegExp) => help.stdout.split("\n").find((l) => start.test(l)) ?? "";
    expect(line(/^ {2}--client-id /)).toMatch(/personal access token \(not an API client/);
    expect(line(/^ {2}--host /)).toMatch(/anything but loopback needs ISC_MCP_HTTP_TOKEN or --oauth-issuer\./);
    expect(line(/ISC_MCP_CONFIRM_KEY\]$/)).toMatch(/signs confirmation codes and seals .*requestState/);
  });
});

describe("numeric options given a negative value", () => {
  it("every one says it must be a non-negative number, spelled either way", () => {
    const numeric = OPTIONS.filter((o) => o.type === "number" && o.flag);
    expect(numeric.length).toBeGreaterThan(10);
    for (const o of numeric) {
      for (const argv of [
        ["--sandbox", `--${o.flag}`, "-1"],
        ["--sandbox", `--${o.flag}=-1`],
      ]) {
        expect(() => resolveConfig(argv, {}), argv.join(" ")).toThrow(
          `--${o.flag} must be a non-negative number, got "-1".`,
        );
      }
    }
  });

  it("names the value it refused when the flag is given twice", () => {
    expect(() => resolveConfig(["--sandbox", "--port", "3000", "--port", "-1"], {})).toThrow(
      '--port must be a non-negative number, got "-1".',
    );
  });
});

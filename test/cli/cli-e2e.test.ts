// The built CLI end to end: spawned over stdio with --sandbox, and refusing to start without credentials.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { beforeAll, describe, expect, it } from "vitest";
import { TOOLS } from "../../tools/index.js";
import { CLI, cliStarts } from "../support/cli-process.js";

// An empty home and working folder: a developer's own ./config.json or ~/.sailpoint/config.yaml must not leak in.
const EMPTY = mkdtempSync(join(tmpdir(), "isc-mcp-e2e-"));
const cleanEnv = () => ({
  ...(Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("SAIL_") && !k.startsWith("ISC_MCP_")),
  ) as Record<string, string>),
  HOME: EMPTY,
});

beforeAll(() => {
  // `npm test` builds first; a bare `vitest run` after a clean checkout needs the same.
  if (!existsSync(CLI)) throw new Error("dist/bundle is missing: run `npm run build` (npm test does it for you)");
});

describe("built CLI over stdio", cliStarts(6), () => {
  it("lists and calls tools against the sandbox, logging only to stderr", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "--sandbox"],
      env: cleanEnv(),
      cwd: EMPTY,
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    const client = new Client({ name: "e2e", version: "1.0.0" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("list_identities");
      const list = (await client.callTool({
        name: "list_identities",
        arguments: { limit: 2, count: true },
      })) as CallToolResult;
      const page = list.structuredContent as { items: Array<{ id: string; name: string }>; total: number };
      expect(page.items).toHaveLength(2);
      expect(page.total).toBeGreaterThan(400);
      const one = (await client.callTool({
        name: "get_identity",
        arguments: { identityId: page.items[0]!.id },
      })) as CallToolResult;
      expect((one.structuredContent as { identity: { name: string } }).identity.name).toBe(page.items[0]!.name);
      expect(client.getServerVersion()?.name).toBe("isc-identities-mcp");
      expect(client.getInstructions()).toMatch(/list_identities/);
    } finally {
      await client.close();
    }
    expect(stderr).toMatch(
      /serving MCP on stdio; v1 of sandbox tenant at http:\/\/127\.0\.0\.1:\d+; \d+ tools; confirm: strict/,
    );
  });

  /** The stderr of a stdio server started with `args` and `env` up to its end (no BROWSER and no desktop unless `env` gives one). */
  const startupLog = async (args: string[], env: Record<string, string> = {}): Promise<string> => {
    const base = Object.fromEntries(
      Object.entries(cleanEnv()).filter(([k]) => !["BROWSER", "DISPLAY", "WAYLAND_DISPLAY"].includes(k)),
    );
    const child = spawn(process.execPath, [CLI, "--sandbox", ...args], {
      env: { ...base, ...env },
      cwd: EMPTY,
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
        if (stderr.includes("serving MCP")) resolve();
      });
      child.on("exit", () => reject(new Error(`exited early: ${stderr}`)));
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.stdin.end();
    await exited;
    return stderr;
  };
  /** The start-up line of such a server. */
  const startupLine = async (args: string[], env: Record<string, string> = {}): Promise<string> =>
    (await startupLog(args, env)).split("\n").find((l) => l.includes("serving MCP"))!;
  const hidden = TOOLS.filter((t) => t.guard?.alwaysConfirms)
    .map((t) => t.name)
    .join(", ");

  it("says in its start-up line, by default, that only a human confirms, on which screens, and which tools a client without elicitation does not see", async () => {
    const line = await startupLine([]);
    expect(line).toContain(
      `; ${TOOLS.length} tools; confirm: strict — only a human confirms, on a form the MCP client shows, or the confirmation page the MCP client opens; a client without elicitation is not shown ${hidden} (no browser was found to show the confirmation page: set BROWSER)`,
    );
    expect(line).not.toMatch(/code/);
  });

  it("with a browser, the start-up line names the page in the browser and hides nothing", async () => {
    const line = await startupLine([], { BROWSER: "/bin/true" });
    expect(line).toMatch(
      /confirm: strict — only a human confirms, on a form the MCP client shows, or the confirmation page the MCP client opens, or the confirmation page opened in the user's browser$/,
    );
  });

  it("under strict, warns that a code in --confirm-via is never used, and names whom the hiding concerns", async () => {
    const codeOnly = await startupLog(["--confirm", "strict", "--confirm-via", "code"]);
    expect(codeOnly).toContain(
      "warn: --confirm-via names code, which only --confirm auto uses: under strict no confirmation code is offered.",
    );
    // No human channel: every client gets the same smaller list, not only one without elicitation.
    const shown = TOOLS.length - hidden.split(", ").length;
    expect(codeOnly.split("\n").find((l) => l.includes("serving MCP"))).toMatch(
      new RegExp(
        `; ${shown} tools; confirm: strict — only a human confirms, but no human channel can reach a person here; no client is shown ${hidden} \\(--confirm-via names no human channel\\)$`,
      ),
    );
    expect(await startupLine(["--confirm", "strict", "--confirm-via", "url"])).toMatch(
      new RegExp(
        `; ${TOOLS.length} tools; confirm: strict — only a human confirms, on the confirmation page the MCP client opens; a client without URL elicitation is not shown ${hidden} \\(--confirm-via leaves out browser\\)$`,
      ),
    );
    // Without code in --confirm-via there is nothing to warn about.
    expect(await startupLog(["--confirm", "strict", "--confirm-via", "form"])).not.toMatch(/warn:/);
  });

  it("says so in words when the operator opted into codes, and counts read-only tools", async () => {
    expect(await startupLine(["--confirm", "auto"])).toMatch(
      /; \d+ tools; confirm: auto — a model can confirm with a code when no human channel exists \(a human confirms on a form the MCP client shows, or the confirmation page the MCP client opens\)$/,
    );
    const reads = TOOLS.filter((t) => t.kind === "read").length;
    expect(await startupLine(["--read-only"])).toMatch(
      new RegExp(`serving MCP on stdio; v1 of sandbox tenant at \\S+; ${reads} tools \\(read-only\\)$`),
    );
  });

  it("exits non-zero with one clear line when credentials are missing", () => {
    const run = spawnSync(process.execPath, [CLI], {
      env: cleanEnv(),
      cwd: EMPTY,
      input: "",
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim()).toBe(
      "isc-identities-mcp: Missing SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET. Set SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET (a personal access token's client id and secret), or run with --sandbox to try the built-in sandbox tenant.",
    );
  });

  it("refuses a plain-http remote base URL before serving", () => {
    const env = {
      ...cleanEnv(),
      SAIL_BASE_URL: "http://acme.api.identitynow.com",
      SAIL_CLIENT_ID: "id",
      SAIL_CLIENT_SECRET: "secret",
    };
    const run = spawnSync(process.execPath, [CLI], { env, cwd: EMPTY, input: "", encoding: "utf8", timeout: 10_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/must use https/);
  });

  it("takes a relative HOME for no home folder: nothing is read or written under the working folder in its name", () => {
    const cwd = mkdtempSync(join(tmpdir(), "isc-mcp-relhome-"));
    try {
      // A CLI config.yaml where HOME=home would put it, relative to the working folder: it must not be read.
      mkdirSync(join(cwd, "home", ".sailpoint"), { recursive: true });
      writeFileSync(
        join(cwd, "home", ".sailpoint", "config.yaml"),
        "activeenvironment: t\nenvironments:\n  t:\n    baseurl: https://relative.api.identitynow.com\n",
      );
      const env = { ...cleanEnv(), HOME: "home" };
      const run = spawnSync(process.execPath, [CLI], { env, cwd, input: "", encoding: "utf8", timeout: 10_000 });
      expect(run.status).not.toBe(0);
      // Read, the file would have given the base URL: then only the client id and secret would be missing.
      expect(run.stderr).toMatch(/Missing SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET/);
      // init for a host whose config lives under the home folder asks for --path instead of writing ./home/.cursor/mcp.json.
      const init = spawnSync(process.execPath, [CLI, "init", "--client", "cursor", "--write"], {
        env,
        cwd,
        encoding: "utf8",
        timeout: 10_000,
      });
      expect(init.status).not.toBe(0);
      expect(init.stderr).toMatch(/home folder.*--path/);
      expect(readdirSync(join(cwd, "home"))).toEqual([".sailpoint"]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("prints --version and --help", () => {
    const version = spawnSync(process.execPath, [CLI, "--version"], { env: cleanEnv(), encoding: "utf8" });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = spawnSync(process.execPath, [CLI, "--help"], { env: cleanEnv(), encoding: "utf8" });
    expect(help.stdout).toMatch(/--sandbox/);
    expect(help.status).toBe(0);
  });
});

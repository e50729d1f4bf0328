// The published package: npm pack, install the tarball into an empty folder, then run the server and the demo with npx.
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliStarts, testCompileCache } from "../support/cli-process.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";
// No SAIL_*/ISC_MCP_* from the developer's shell, and npm quiet.
const env = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("SAIL_") && !k.startsWith("ISC_MCP_")),
  ),
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
} as Record<string, string>;
let work: string;
let app: string;

beforeAll(() => {
  // `npm test` builds first. --ignore-scripts skips prepack's rebuild, which would rewrite dist/ under the other test files.
  if (!existsSync(join(root, "dist/bundle/src/cli/main.js")))
    throw new Error("dist/bundle is missing: run `npm run build` (npm test does it for you)");
  work = mkdtempSync(join(tmpdir(), "isc-pack-"));
  const packed = JSON.parse(
    execFileSync(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", work], {
      cwd: root,
      env,
      encoding: "utf8",
    }),
  ) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const tarball = join(work, packed[0]!.filename);
  // The entry, the CLI it runs, the libraries the CLI loads on demand (Redis, yaml, open, the OpenTelemetry SDK), and the demo (scripts/bundle.ts).
  const files = packed[0]!.files.map((f) => f.path);
  expect(files.sort()).toEqual([
    "LICENSE",
    "README.md",
    "dist/bundle/scripts/demo.js",
    "dist/bundle/src/cli/cli.cjs",
    "dist/bundle/src/cli/main.js",
    "dist/bundle/src/cli/package.json",
    "dist/bundle/src/cli/vendor/ioredis.cjs",
    "dist/bundle/src/cli/vendor/open.cjs",
    "dist/bundle/src/cli/vendor/otel-sdk.cjs",
    "dist/bundle/src/cli/vendor/undici.cjs",
    "dist/bundle/src/cli/vendor/yaml.cjs",
    "package.json",
  ]);
  app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "pack-test", private: true }));
  execFileSync(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], {
    cwd: app,
    env,
    encoding: "utf8",
  });
}, 60_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

// Each test is an npx start (or two) of the installed package: bounded work that took over 20 s at load 24.
describe("the packed tarball, installed into an empty folder", cliStarts(3), () => {
  it("installs nothing but itself: the bundle needs no dependencies and no build", () => {
    expect(readdirSync(join(app, "node_modules")).filter((d) => !d.startsWith("."))).toEqual(["isc-identities-mcp"]);
  });

  it("runs `npx isc-identities-mcp --sandbox` and answers MCP over stdio", async () => {
    const transport = new StdioClientTransport({
      command: npx,
      args: ["isc-identities-mcp", "--sandbox"],
      cwd: app,
      env,
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    const client = new Client({ name: "pack-test", version: "1.0.0" }, { capabilities: { elicitation: { form: {} } } });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(["list_identities", "get_identity", "delete_identity"]),
      );
      const list = (await client.callTool({ name: "list_identities", arguments: { limit: 1 } })) as CallToolResult;
      expect((list.structuredContent as { items: unknown[] }).items).toHaveLength(1);
      // The bundle still finds its package.json (version.ts walks up from the bundled file).
      expect(client.getServerVersion()?.version).toBe(
        (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version,
      );
    } finally {
      await client.close();
    }
    expect(stderr).toMatch(/isc-identities-mcp \d+\.\d+\.\d+ serving MCP on stdio; v1 of sandbox tenant/);
  });

  it("`init` prints a command that, run as printed from another folder, starts this install and answers tools/list", async () => {
    const run = spawnSync(npx, ["isc-identities-mcp", "init", "--client", "cursor", "--sandbox"], {
      cwd: app,
      env,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const entry = realpathSync(join(app, "node_modules/isc-identities-mcp/dist/bundle/src/cli/main.js"));
    expect(run.stderr).toContain(
      `Command: ${process.execPath} ${entry} (local install: it was installed into ${realpathSync(join(app, "node_modules/isc-identities-mcp"))}`,
    );
    const server = (JSON.parse(run.stdout) as { mcpServers: Record<string, { command: string; args: string[] }> })
      .mcpServers["isc-identities"]!;
    expect(server).toEqual({ command: process.execPath, args: [entry, "--sandbox"] });
    // A host starts it from its own folder with its own environment: not the install folder, no npx.
    const elsewhere = mkdtempSync(join(tmpdir(), "isc-host-"));
    const client = new Client({ name: "pack-init", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: server.command,
        args: server.args,
        cwd: elsewhere,
        env: { PATH: "/nonexistent", ...testCompileCache() },
        stderr: "pipe",
      }),
    );
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain("get_identity");
    } finally {
      await client.close();
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("runs `npx isc-identities-mcp demo` to the end", () => {
    const run = spawnSync(npx, ["isc-identities-mcp", "demo"], { cwd: app, env, encoding: "utf8", timeout: 30_000 });
    expect(run.stderr).not.toMatch(/demo failed/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/tools\/list: \d+ tools/);
    expect(run.stdout).toMatch(/▶ get_identity/);
    expect(run.stdout).toMatch(/^Done\./m);
    // The last line says where to read on: the installed README, by path.
    expect(run.stdout.trim().split("\n").at(-1)).toContain(
      `read "Install" and "Use it with your tenant" in ${join(realpathSync(app), "node_modules", "isc-identities-mcp", "README.md")}`,
    );
  });
});

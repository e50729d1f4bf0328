// The MCP Bundle: the bundle script validates and packs it with the official CLI, and the unpacked bundle, started as its manifest says, serves MCP.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { getMcpConfigForManifest, unpackExtension, type McpbManifestAny } from "@anthropic-ai/mcpb";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOOLS } from "../../tools/index.js";
import { testCompileCache } from "../support/cli-process.js";
import { renderServerJson } from "../../scripts/registry-render.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string };
let work: string;
let file: string;
let output: string;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path).map((p) => `${name}/${p}`) : [name];
  });
}

let serverJsonBefore: string;

/** Each entry's DOS modification time and date in a zip's central directory, as [time, date] pairs. */
function zipStamps(zip: Buffer): Array<[number, number]> {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  const stamps: Array<[number, number]> = [];
  let at = zip.readUInt32LE(end + 16);
  for (let n = zip.readUInt16LE(end + 10); n > 0; n--) {
    stamps.push([zip.readUInt16LE(at + 12), zip.readUInt16LE(at + 14)]);
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return stamps;
}

beforeAll(() => {
  // `npm test` builds first; the script is run directly (not `npm run bundle:mcpb`) so it does not rebuild dist/ under other test files.
  if (!existsSync(join(root, "dist/scripts/bundle-mcpb.js")))
    throw new Error("dist/ is missing: run `npm run build` (npm test does it for you)");
  work = mkdtempSync(join(tmpdir(), "isc-mcpb-"));
  serverJsonBefore = readFileSync(join(root, "server.json"), "utf8");
  output = execFileSync(process.execPath, [join(root, "dist/scripts/bundle-mcpb.js")], {
    cwd: root,
    env: { ...process.env, MCPB_OUT_DIR: work },
    encoding: "utf8",
  });
  file = join(work, `${pkg.name}-${pkg.version}.mcpb`);
}, 90_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("npm run bundle:mcpb", () => {
  it("validates the manifest with the official mcpb CLI, then packs dist/<name>-<version>.mcpb", () => {
    expect(output).toContain("Manifest schema validation passes!");
    expect(existsSync(file)).toBe(true);
  });

  it("leaves the tree clean: the tracked server.json is not rewritten by a build", () => {
    expect(readFileSync(join(root, "server.json"), "utf8")).toBe(serverJsonBefore);
    expect(output).toContain(`sha256 ${createHash("sha256").update(readFileSync(file)).digest("hex")}`);
  });
});

describe("npm run release:hash", () => {
  it("writes the SHA-256 of the release's .mcpb into server.json's mcpb entry, and nothing else changes", () => {
    const serverJson = join(work, "server.json");
    execFileSync(process.execPath, [join(root, "dist/scripts/release-hash.js")], {
      cwd: root,
      env: { ...process.env, MCPB_OUT_DIR: work, MCPB_SERVER_JSON: serverJson },
      encoding: "utf8",
    });
    const sha = createHash("sha256").update(readFileSync(file)).digest("hex");
    expect(JSON.parse(readFileSync(serverJson, "utf8"))).toEqual(renderServerJson(sha));
    expect(readFileSync(join(root, "server.json"), "utf8")).toBe(serverJsonBefore);
  });
});

describe("a reproducible .mcpb", () => {
  it("stamps every entry with the pinned build time, not the packing time", () => {
    const stamps = zipStamps(readFileSync(file));
    expect(stamps.length).toBeGreaterThan(5);
    // 2025-01-01 00:00 UTC (no SOURCE_DATE_EPOCH in the test's environment) as a DOS time and date.
    const pinned: [number, number] = process.env.SOURCE_DATE_EPOCH
      ? stamps[0]!
      : [0, ((2025 - 1980) << 9) | (1 << 5) | 1];
    expect(new Set(stamps.map((s) => s.join(",")))).toEqual(new Set([pinned.join(",")]));
  });

  it("built again from the same tree gives the same bytes, so a release's hash can be checked by anyone", () => {
    // With the stamps pinned (above), no wait past the zip format's 2-s time grain is needed to tell the builds apart.
    const again = mkdtempSync(join(tmpdir(), "isc-mcpb-again-"));
    try {
      execFileSync(process.execPath, [join(root, "dist/scripts/bundle-mcpb.js")], {
        cwd: root,
        env: { ...process.env, MCPB_OUT_DIR: again },
        encoding: "utf8",
      });
      const sha = (f: string) => createHash("sha256").update(readFileSync(f)).digest("hex");
      expect(sha(join(again, `${pkg.name}-${pkg.version}.mcpb`))).toBe(sha(file));
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("the packed .mcpb", () => {
  let dir: string;
  beforeAll(async () => {
    dir = join(work, "installed");
    expect(await unpackExtension({ mcpbPath: file, outputDir: dir, silent: true })).toBe(true);
  });

  it("unpacks to the manifest, the icon, the licence and the bundled server (entry, CLI, the libraries it loads on demand): no node_modules", () => {
    const files = filesUnder(dir);
    expect(files.sort()).toEqual([
      "LICENSE",
      "icon.png",
      "manifest.json",
      "package.json",
      "server/src/cli/cli.cjs",
      "server/src/cli/main.js",
      "server/src/cli/package.json",
      "server/src/cli/vendor/ioredis.cjs",
      "server/src/cli/vendor/open.cjs",
      "server/src/cli/vendor/otel-sdk.cjs",
      "server/src/cli/vendor/undici.cjs",
      "server/src/cli/vendor/yaml.cjs",
    ]);
    expect(readFileSync(join(dir, "manifest.json"), "utf8")).toBe(readFileSync(join(root, "manifest.json"), "utf8"));
  });

  it("started exactly as its mcp_config says, with the sandbox switch on, answers initialize and tools/list", async () => {
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as McpbManifestAny;
    // The same substitution a host performs: ${__dirname}, then user_config values over the manifest's defaults.
    const config = await getMcpConfigForManifest({
      manifest,
      extensionPath: dir,
      systemDirs: {},
      userConfig: { sandbox: true },
      pathSeparator: sep,
    });
    expect(config?.command).toBe("node");
    // Only what a host passes: the resolved env, plus PATH to find node. No node_modules anywhere above the folder.
    expect(existsSync(join(dirname(dir), "node_modules"))).toBe(false);
    const env = {
      ...config!.env,
      PATH: [dirname(process.execPath), process.env.PATH ?? ""].join(delimiter),
      ...testCompileCache(),
    };
    const transport = new StdioClientTransport({
      command: config!.command,
      args: config!.args ?? [],
      env,
      cwd: dir,
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    const client = new Client({ name: "mcpb-test", version: "1.0.0" }, { capabilities: { elicitation: { form: {} } } });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()).toEqual({ name: pkg.name, version: pkg.version });
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(TOOLS.map((t) => t.name));
    } finally {
      await client.close();
    }
    expect(stderr).toMatch(
      new RegExp(
        `serving MCP on stdio; v1 of sandbox tenant at http://127\\.0\\.0\\.1:\\d+; ${TOOLS.length} tools; confirm: strict — only a human confirms`,
      ),
    );
  }, 30_000);

  it("with nothing filled in, stops at start-up naming the extension's own settings", async () => {
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as McpbManifestAny;
    const config = await getMcpConfigForManifest({
      manifest,
      extensionPath: dir,
      systemDirs: {},
      userConfig: {},
      pathSeparator: sep,
    });
    const run = spawnSync(process.execPath, config!.args ?? [], {
      env: { ...config!.env, HOME: dir, ...testCompileCache() },
      cwd: dir,
      input: "",
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      "isc-identities-mcp: Missing SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET. Fill in Tenant name (or Tenant API URL), Client ID and Client secret in this extension's settings, or turn on Sandbox tenant.",
    );
  });
});

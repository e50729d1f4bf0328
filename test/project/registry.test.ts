// manifest.json (MCP Bundle) and server.json (MCP Registry) stay in step with package.json, the tool and prompt lists and the option table.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OPTIONS } from "../../src/config/options.js";
import { TOOLS } from "../../tools/index.js";
import { PROMPTS } from "../../prompts/index.js";
import { asJson, renderManifest, renderServerJson, SERVER_SCHEMA, shaIn } from "../../scripts/registry-render.js";

const read = (name: string) => readFileSync(new URL(`../../${name}`, import.meta.url), "utf8");
const pkg = JSON.parse(read("package.json")) as { name: string; version: string; mcpName: string };
const serverText = read("server.json");

interface EnvVar {
  name: string;
  description: string;
  isRequired: boolean;
  isSecret: boolean;
  default?: string;
}
interface ServerJson {
  $schema: string;
  name: string;
  version: string;
  description: string;
  packages: Array<{
    registryType: string;
    identifier: string;
    version: string;
    runtimeHint?: string;
    transport: { type: string };
    environmentVariables?: EnvVar[];
    fileSha256?: string;
  }>;
}
const server = JSON.parse(serverText) as ServerJson;
const manifest = JSON.parse(read("manifest.json")) as {
  manifest_version: string;
  name: string;
  version: string;
  tools: Array<{ name: string }>;
  prompts: Array<{ name: string; arguments: string[] }>;
  server: { mcp_config: { env: Record<string, string> } };
  user_config: Record<string, { sensitive?: boolean; default?: unknown; type: string; description: string }>;
};
/** Every variable the server reads: the option table's, and the confirmation key the guard reads. */
/** The secrets known today; any option the table marks secret later is one too. */
const SECRETS = new Set(["SAIL_CLIENT_SECRET", "ISC_MCP_HTTP_TOKEN", "ISC_MCP_CONFIRM_KEY"]);
const readByServer = new Set([...OPTIONS.flatMap((o) => (o.env ? [o.env] : [])), "ISC_MCP_CONFIRM_KEY"]);

describe("manifest.json", () => {
  it("is exactly what the code renders (run `npm run docs` after changing tools, prompts or options)", () => {
    expect(read("manifest.json"), "manifest.json is stale: run `npm run docs`").toBe(asJson(renderManifest()));
  });

  it("is manifest version 0.4, named and versioned like package.json, listing every tool and prompt in order", () => {
    expect(manifest.manifest_version).toBe("0.4");
    expect([manifest.name, manifest.version]).toEqual([pkg.name, pkg.version]);
    expect(manifest.tools.map((t) => t.name)).toEqual(TOOLS.map((t) => t.name));
    expect(manifest.prompts.map((p) => [p.name, p.arguments])).toEqual(
      PROMPTS.map((p) => [p.name, p.arguments.map((a) => a.name)]),
    );
  });

  it("maps every setting to a variable the server reads; the secret is sensitive and has no default", () => {
    for (const name of Object.keys(manifest.server.mcp_config.env)) expect(readByServer, name).toContain(name);
    expect(manifest.server.mcp_config.env).toMatchObject({
      SAIL_CLIENT_SECRET: "${user_config.client_secret}",
      ISC_MCP_SANDBOX: "${user_config.sandbox}",
      ISC_MCP_READ_ONLY: "${user_config.read_only}",
    });
    expect(manifest.user_config.client_secret).toMatchObject({ type: "string", sensitive: true });
    expect(manifest.user_config.client_secret).not.toHaveProperty("default");
    expect(manifest.user_config.read_only).toMatchObject({ type: "boolean", default: false });
    expect(manifest.user_config.confirm).toMatchObject({ type: "string", default: "strict" });
  });

  it("speaks to a bundle's user, who types settings, not flags: no process lists, no sentence said twice", () => {
    const settings = manifest.user_config;
    for (const [id, { description }] of Object.entries(settings)) {
      expect(description, id).not.toMatch(/process list|environment only/);
      const sentences = description.split(/(?<=[.)])\s+/).map((t) => t.toLowerCase().replace(/\W+/g, " ").trim());
      expect(new Set(sentences).size, `${id}: ${description}`).toBe(sentences.length);
    }
    // Said once: the sandbox's description used to add "Try the server against a built-in fake tenant, without credentials."
    expect(settings.sandbox!.description).toBe("Run against the built-in sandbox tenant (no credentials needed).");
    expect(settings.client_id!.description).toMatch(/^OAuth client id of a personal access token \(not an API client/);
  });
});

describe("server.json", () => {
  it("is exactly what the code renders, keeping the .mcpb hash the bundle script wrote", () => {
    expect(serverText, "server.json is stale: run `npm run docs`").toBe(asJson(renderServerJson(shaIn(serverText))));
    expect(server.packages.find((p) => p.registryType === "mcpb")?.fileSha256).toMatch(/^[a-f0-9]{64}$/);
  });

  it("names the 2025-12-11 schema, package.json's mcpName and version, and a description the registry accepts", () => {
    expect(server.$schema).toBe(SERVER_SCHEMA);
    expect(SERVER_SCHEMA).toContain("/2025-12-11/");
    expect(server.name).toBe(pkg.mcpName);
    expect(server.name).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/);
    expect(server.description.length).toBeLessThanOrEqual(100);
    expect(server.version).toBe(pkg.version);
    for (const p of server.packages) expect(p.version).toBe(pkg.version);
  });

  it("offers the npm package over npx and stdio with every variable the server reads, secrets marked and never defaulted", () => {
    const npm = server.packages.find((p) => p.registryType === "npm")!;
    expect(npm).toMatchObject({ identifier: pkg.name, runtimeHint: "npx", transport: { type: "stdio" } });
    const vars = npm.environmentVariables!;
    expect(vars.map((v) => v.name).sort()).toEqual([...readByServer].sort());
    for (const v of vars) {
      expect(v.description, v.name).not.toBe("");
      expect(v.isSecret, v.name).toBe(SECRETS.has(v.name) || OPTIONS.some((o) => o.env === v.name && o.secret));
      if (v.isSecret) expect(v, v.name).not.toHaveProperty("default");
      const option = OPTIONS.find((o) => o.env === v.name);
      if (option?.default !== undefined && !v.isSecret) expect(v.default, v.name).toBe(String(option.default));
    }
    expect(vars.find((v) => v.name === "SAIL_CLIENT_SECRET")).toMatchObject({ isRequired: true, isSecret: true });
    for (const name of SECRETS)
      expect(
        vars.find((v) => v.name === name),
        name,
      ).toMatchObject({ isSecret: true });
  });

  it("offers the .mcpb of this version from the repository's releases", () => {
    const mcpb = server.packages.find((p) => p.registryType === "mcpb")!;
    expect(mcpb.identifier).toMatch(
      new RegExp(
        `^https://github\\.com/[^/]+/[^/]+/releases/download/v${pkg.version}/${pkg.name}-${pkg.version}\\.mcpb$`,
      ),
    );
    expect(mcpb.transport).toEqual({ type: "stdio" });
  });
});

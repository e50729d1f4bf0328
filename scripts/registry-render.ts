// Renders manifest.json (MCP Bundle) and server.json (MCP Registry) from package.json, the tool and prompt lists and the option table.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE } from "../src/core/version.js";
import { OPTIONS, type OptionDef } from "../src/config/options.js";
import { TOOLS } from "../tools/index.js";
import { PROMPTS } from "../prompts/index.js";

interface PackageJson {
  name: string;
  version: string;
  description: string;
  license: string;
  author: string;
  homepage: string;
  repository: { url: string };
  bugs: { url: string };
  mcpName: string;
  keywords: string[];
  engines: { node: string };
}

export const ROOT = PACKAGE.root ?? ".";
export const readPackageJson = () => JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as PackageJson;
/** https://github.com/OWNER/NAME, from package.json's repository. */
export const repoUrl = (pkg: PackageJson) => pkg.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
export const bundleName = (pkg: PackageJson) => `${pkg.name}-${pkg.version}.mcpb`;

/** Where a release publishes the .mcpb: server.json's mcpb entry points at it. */
export const bundleUrl = (pkg: PackageJson) => `${repoUrl(pkg)}/releases/download/v${pkg.version}/${bundleName(pkg)}`;

export const SERVER_SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
/** The bundled CLI inside the .mcpb (the bundle script copies dist/bundle/src under server/). */
export const BUNDLE_ENTRY = "server/src/cli/main.js";

/** The option table marks its secrets (environment only: a flag would show in process lists). */
export const isSecret = (o: OptionDef) => o.secret === true;
/** What a host must ask for before the server can reach a tenant (the sandbox needs none of them). */
const REQUIRED_ENV = new Set(["SAIL_CLIENT_ID", "SAIL_CLIENT_SECRET"]);

/** Every environment variable the server reads, once each, in the option table's order. */
export function serverEnv(): OptionDef[] {
  const seen = new Set<string>();
  return OPTIONS.filter((o) => o.env && !seen.has(o.env) && seen.add(o.env));
}

const describe = (o: OptionDef) => `${o.description}${o.values ? ` One of: ${o.values.join(", ")}.` : ""}`;

/** The bundle's settings: the user types these once; Claude Desktop keeps `sensitive` ones in the OS keychain. */
/** `description` replaces the option's own where that speaks of flags, which a bundle's user never types. */
const USER_CONFIG: ReadonlyArray<{
  id: string;
  env: string;
  title: string;
  sensitive?: boolean;
  description?: string;
  note?: string;
}> = [
  {
    id: "tenant",
    env: "ISC_MCP_TENANT",
    title: "Tenant name",
    note: "Leave empty when you give the API URL below, or use the sandbox.",
  },
  {
    id: "base_url",
    env: "SAIL_BASE_URL",
    title: "Tenant API URL",
    note: "Only when the tenant name is not enough (e.g. a demo or custom domain).",
  },
  { id: "client_id", env: "SAIL_CLIENT_ID", title: "Client ID", note: "Not needed with the sandbox." },
  {
    id: "client_secret",
    env: "SAIL_CLIENT_SECRET",
    title: "Client secret",
    sensitive: true,
    description: "The personal access token's secret.",
    note: "Kept in the OS keychain. Not needed with the sandbox.",
  },
  { id: "read_only", env: "ISC_MCP_READ_ONLY", title: "Read-only" },
  { id: "confirm", env: "ISC_MCP_CONFIRM", title: "Confirmation mode" },
  {
    id: "sandbox",
    env: "ISC_MCP_SANDBOX",
    title: "Sandbox tenant",
  },
];

function userConfig(): Record<string, Record<string, unknown>> {
  const byEnv = new Map(serverEnv().map((o) => [o.env, o]));
  return Object.fromEntries(
    USER_CONFIG.map((u) => {
      const o = byEnv.get(u.env);
      if (!o) throw new Error(`manifest user_config ${u.id}: the server reads no ${u.env}`);
      const type = o.type === "boolean" ? "boolean" : o.type === "number" ? "number" : "string";
      return [
        u.id,
        {
          type,
          title: u.title,
          description: [u.description ?? describe(o), u.note].filter(Boolean).join(" "),
          required: false,
          ...(u.sensitive ? { sensitive: true } : {}),
          // No default for strings: an empty optional setting reaches the server as "${user_config.x}", which it reads as not set.
          ...(o.default !== undefined && !u.sensitive ? { default: o.default } : {}),
        },
      ];
    }),
  );
}

export function renderManifest(pkg: PackageJson = readPackageJson()): Record<string, unknown> {
  const repo = repoUrl(pkg);
  return {
    manifest_version: "0.4",
    name: pkg.name,
    display_name: "ISC Identities",
    version: pkg.version,
    description: "Find, inspect and safely manage the identities of a SailPoint Identity Security Cloud tenant.",
    long_description:
      "Typed tools for the 11 operations of ISC's Identities API: search and read identities, what they own and their role assignments; re-sync, re-process, invite and send password-reset emails; reset and delete. Nothing destructive happens on the model's word alone: a person confirms on a form the model cannot answer for. Read-only mode offers the read tools only; the built-in sandbox tenant lets you try everything without credentials.",
    author: { name: pkg.author, url: repo },
    repository: { type: "git", url: repo },
    homepage: pkg.homepage,
    documentation: pkg.homepage,
    support: pkg.bugs.url,
    icon: "icon.png",
    server: {
      type: "node",
      entry_point: BUNDLE_ENTRY,
      mcp_config: {
        command: "node",
        args: [`\${__dirname}/${BUNDLE_ENTRY}`],
        env: Object.fromEntries(USER_CONFIG.map((u) => [u.env, `\${user_config.${u.id}}`])),
      },
    },
    tools: TOOLS.map((t) => ({ name: t.name, description: t.description })),
    prompts: PROMPTS.map((p) => ({
      name: p.name,
      description: p.description,
      arguments: p.arguments.map((a) => a.name),
      text: p.render(Object.fromEntries(p.arguments.map((a) => [a.name, `\${arguments.${a.name}}`]))),
    })),
    keywords: pkg.keywords,
    license: pkg.license,
    privacy_policies: [`${repo}#privacy`],
    compatibility: {
      platforms: ["darwin", "win32", "linux"],
      runtimes: { node: pkg.engines.node.replace(/^>=(\d+)$/, ">=$1.0.0") },
    },
    user_config: userConfig(),
  };
}

/** `fileSha256` is the SHA-256 of the release's .mcpb (`npm run release:hash` writes it; a build never does). */
export function renderServerJson(fileSha256: string, pkg: PackageJson = readPackageJson()): Record<string, unknown> {
  const environmentVariables = serverEnv().map((o) => {
    const secret = isSecret(o);
    return {
      name: o.env,
      description: describe(o),
      isRequired: REQUIRED_ENV.has(o.env!),
      isSecret: secret,
      format: o.type === "boolean" ? "boolean" : o.type === "number" ? "number" : "string",
      ...(o.values ? { choices: [...o.values] } : {}),
      ...(o.default !== undefined && !secret ? { default: String(o.default) } : {}),
    };
  });
  return {
    $schema: SERVER_SCHEMA,
    name: pkg.mcpName,
    title: "ISC Identities",
    description: "Identities of a SailPoint ISC tenant: typed tools, human-confirmed deletes, a sandbox tenant.",
    version: pkg.version,
    repository: { url: repoUrl(pkg), source: "github" },
    websiteUrl: pkg.homepage,
    packages: [
      {
        registryType: "npm",
        registryBaseUrl: "https://registry.npmjs.org",
        identifier: pkg.name,
        version: pkg.version,
        runtimeHint: "npx",
        transport: { type: "stdio" },
        environmentVariables,
      },
      {
        registryType: "mcpb",
        identifier: bundleUrl(pkg),
        version: pkg.version,
        fileSha256,
        transport: { type: "stdio" },
      },
    ],
  };
}

/** The .mcpb hash in a server.json text, or zeros before the first bundle. */
export function shaIn(serverJson: string | undefined): string {
  try {
    const parsed = JSON.parse(serverJson ?? "") as { packages?: Array<{ registryType?: string; fileSha256?: string }> };
    return parsed.packages?.find((p) => p.registryType === "mcpb")?.fileSha256 ?? "0".repeat(64);
  } catch {
    return "0".repeat(64);
  }
}

export const asJson = (value: unknown) => JSON.stringify(value, null, 2) + "\n";

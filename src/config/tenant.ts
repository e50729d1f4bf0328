// Picks the tenant URL and credentials from flags, environment, --tenant and SailPoint's config files, in the documented order.
import { ConfigError } from "../core/errors.js";
import type { ConfigFiles } from "./files.js";

export type Source = "flag" | "env" | "default" | "sandbox" | "config.json" | "config.yaml";

export interface Layered {
  values: Record<string, unknown>;
  sources: Record<string, Source>;
  /** Where exactly a value came from: the flag, the variable, the file. */
  notes: Record<string, string>;
}

const RANK: Partial<Record<Source, number>> = { flag: 2, env: 1 };
const TENANT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** `acme` → `https://acme.api.identitynow.com`, the form SailPoint gives every tenant. */
export function tenantUrl(name: string): string {
  if (!TENANT_NAME.test(name)) {
    throw new ConfigError(
      `--tenant takes a tenant name such as acme (for https://acme.api.identitynow.com), got "${name}"; use --base-url for any other address.`,
    );
  }
  return `https://${name.toLowerCase()}.api.identitynow.com`;
}

/**
 * Base URL: --base-url/--tenant > SAIL_BASE_URL/ISC_MCP_TENANT > --env NAME's baseurl (config.yaml)
 * > ./config.json BaseURL > config.yaml's active environment. Client id: flag > env > ./config.json.
 * Client secret: SAIL_CLIENT_SECRET > ./config.json (never a flag, never config.yaml). Mutates `layered`.
 */
export function applyTenantSources(layered: Layered, files: ConfigFiles): void {
  const { values, sources, notes } = layered;
  const set = (key: string, value: string, source: Source, note: string) => {
    values[key] = value;
    sources[key] = source;
    notes[key] = note;
  };

  const tenant = values.tenant as string | undefined;
  if (tenant) {
    const fromTenant = tenantUrl(tenant);
    const tenantRank = RANK[sources.tenant!] ?? 0;
    const baseRank = RANK[sources.baseUrl!] ?? 0;
    const current = String(values.baseUrl ?? "")
      .replace(/\/+$/, "")
      .toLowerCase();
    if (tenantRank === baseRank && current !== fromTenant) {
      throw new ConfigError(
        `${notes.baseUrl} and ${notes.tenant} name different tenants (${String(values.baseUrl)} vs ${fromTenant}); set only one.`,
      );
    }
    if (tenantRank > baseRank) set("baseUrl", fromTenant, sources.tenant!, `${notes.tenant} ${tenant}`);
  }

  const yaml = files.cliYaml;
  const chosen = values.environment as string | undefined;
  if (!values.baseUrl && chosen) {
    // An environment named explicitly beats ./config.json: the user picked it for this run.
    if (!yaml)
      throw new ConfigError(
        `${notes.environment} ${chosen}: there is no SailPoint CLI config (~/.sailpoint/config.yaml) to take it from.`,
      );
    const env = yaml.environments[chosen];
    if (!env) {
      const known = Object.keys(yaml.environments);
      throw new ConfigError(
        `${notes.environment} ${chosen}: ${yaml.path} has no environment "${chosen}"${known.length ? ` (it has ${known.join(", ")})` : ""}.`,
      );
    }
    if (!env.baseUrl) throw new ConfigError(`Environment "${chosen}" in ${yaml.path} has no baseurl.`);
    set("baseUrl", env.baseUrl, "config.yaml", `environment "${chosen}" of ${yaml.path}`);
  }

  const json = files.sdkJson;
  if (!values.baseUrl && json?.baseUrl) set("baseUrl", json.baseUrl, "config.json", json.path);
  if (!values.baseUrl && yaml?.activeEnvironment) {
    const active = yaml.environments[yaml.activeEnvironment];
    if (active?.baseUrl)
      set("baseUrl", active.baseUrl, "config.yaml", `active environment "${yaml.activeEnvironment}" of ${yaml.path}`);
  }
  if (!values.clientId && json?.clientId) set("clientId", json.clientId, "config.json", json.path);
  if (!values.clientSecret && json?.clientSecret) set("clientSecret", json.clientSecret, "config.json", json.path);
}

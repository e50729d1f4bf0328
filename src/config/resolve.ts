// Resolves one typed Config from flags > environment > config files > defaults: a pure function, so it is unit-tested directly.
import type { ConfigFiles } from "./files.js";
import { ConfigError } from "../core/errors.js";
import { applyTenantSources, type Source } from "./tenant.js";
import { assertConfig, type Config } from "./config.js";
import { checkConfig, checkPort, type Known } from "./checks.js";
import { checkPlaceholders, isUnexpandedBundleSetting } from "./placeholders.js";
import { layerOptions, readCommandLine } from "./read-options.js";
import { normaliseBaseUrl } from "./urls.js";

export { helpText } from "./help-text.js";
export type { Source } from "./tenant.js";
export type { Config } from "./config.js";
export { pageShown, pageWanted, type Known } from "./checks.js";
export { isLoopback, normaliseBaseUrl } from "./urls.js";

export const COMMANDS = ["serve", "config", "init", "demo", "sandbox"] as const;
export type Command = (typeof COMMANDS)[number] | "help" | "version";

/** Options of `init` only; they are not server configuration. */
export interface InitArgs {
  client: string | undefined;
  write: boolean;
  path: string | undefined;
}

export interface Resolved {
  command: Command;
  config: Config;
  /** Where each value came from, for `config` output and debugging. */
  sources: Record<string, Source>;
  /** The flag, variable or file behind each value. */
  notes: Record<string, string>;
  init: InitArgs;
}

const BUNDLE_FIX =
  "Fill in Tenant name (or Tenant API URL), Client ID and Client secret in this extension's settings, or turn on Sandbox tenant.";
const FIX =
  "Set SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET (a personal access token's client id and secret), or run with --sandbox to try the built-in sandbox tenant.";

/**
 * `files` comes from loadConfigFiles (config-files.ts); passing it in keeps this function pure. `known` is what the
 * build offers (the catalog's tool names), which the CLI passes in so --tools and --exclude-tools are checked here too.
 */
export function resolveConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  files: ConfigFiles = {},
  known: Known = {},
): Resolved {
  const { positionals, flags } = readCommandLine(argv);
  const [first, ...extra] = positionals;
  if ((first !== undefined && !(COMMANDS as readonly string[]).includes(first)) || extra.length > 0) {
    throw new ConfigError(
      `Unknown command "${extra[0] ?? first}". Commands: ${COMMANDS.join(", ")}. Run with --help to see the options.`,
    );
  }
  const init: InitArgs = {
    client: flags.client as string | undefined,
    write: Boolean(flags.write),
    path: flags.path as string | undefined,
  };
  if (first !== "init" && (init.client !== undefined || init.write || init.path !== undefined)) {
    throw new ConfigError(
      "--client, --write and --path belong to the init command, e.g. isc-identities-mcp init --client claude-desktop.",
    );
  }

  const layered = layerOptions(flags, env);
  const { values, sources, notes } = layered;
  const command: Command = flags.help ? "help" : flags.version ? "version" : ((first ?? "serve") as Command);
  assertConfig(values);
  const config = values;
  if (command === "sandbox") checkPort(config);
  if (command === "help" || command === "version" || command === "demo" || command === "sandbox")
    return { command, config, sources, notes, init };
  checkConfig(config, notes, known);

  if (config.sandbox) {
    // The sandbox supplies its own loopback URL and credentials at start-up.
    const sandboxed = { baseUrl: "sandbox", clientId: "sandbox", clientSecret: "sandbox" } as const;
    return {
      command,
      config: { ...config, baseUrl: "", clientId: "", clientSecret: "" },
      sources: { ...sources, ...sandboxed },
      notes: { ...notes, ...sandboxed },
      init,
    };
  }
  applyTenantSources(layered, files);
  const missing = [
    !config.baseUrl && "SAIL_BASE_URL",
    !config.clientId && "SAIL_CLIENT_ID",
    !config.clientSecret && "SAIL_CLIENT_SECRET",
  ].filter(Boolean);
  // `config` reports what is missing instead of refusing; `init` prints placeholders for it.
  // A value a host was meant to fill in (a placeholder from init, an ${input:…} it did not expand) fails every call: stop now.
  if (command === "serve" || command === "config")
    checkPlaceholders(
      { SAIL_BASE_URL: config.baseUrl, SAIL_CLIENT_ID: config.clientId, SAIL_CLIENT_SECRET: config.clientSecret },
      notes,
      { baseUrl: "SAIL_BASE_URL", clientId: "SAIL_CLIENT_ID", clientSecret: "SAIL_CLIENT_SECRET" },
    );
  if (missing.length > 0 && command === "serve") {
    if (files.problems?.[0]) throw new ConfigError(files.problems[0]);
    // Started from an MCP Bundle (its empty settings arrive as "${user_config.…}"): name the settings the user sees.
    const fromBundle = ["SAIL_BASE_URL", "SAIL_CLIENT_ID", "SAIL_CLIENT_SECRET", "ISC_MCP_TENANT"].some((name) =>
      isUnexpandedBundleSetting(env[name] ?? ""),
    );
    const json = files.sdkJson;
    const misspelt = json?.misspelt
      ? ` ${json.path} was read, but not its keys, which SailPoint's SDK spells exactly (case included): rename ${json.misspelt.join(", ")}.`
      : "";
    throw new ConfigError(`Missing ${missing.join(", ")}.${misspelt} ${fromBundle ? BUNDLE_FIX : FIX}`);
  }
  // The value may come from a file or --tenant: the message says which.
  if (config.baseUrl) config.baseUrl = normaliseBaseUrl(config.baseUrl, notes.baseUrl);
  return { command, config, sources, notes, init };
}

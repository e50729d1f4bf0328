// Resolves one typed Config from flags > environment > defaults: a pure function, so it is unit-tested directly.
import { parseArgs } from "node:util";
import { OPTIONS, type ApiVersion, type OptionDef } from "./options.js";
import type { LogLevel } from "./log.js";

export interface Config {
  sandbox: boolean;
  sandboxIdentities: number;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  apiVersion: ApiVersion;
  readOnly: boolean;
  tools: string[] | undefined;
  excludeTools: string[] | undefined;
  confirm: "auto" | "strict";
  confirmThreshold: number;
  confirmTtlSeconds: number;
  auditLog: string | undefined;
  requestTimeoutMs: number;
  callTimeoutMs: number;
  maxRetryAfterSeconds: number;
  logLevel: LogLevel;
}

export type Command = "serve" | "help" | "version";

export interface Resolved {
  command: Command;
  config: Config;
  /** Where each value came from, for `config` output and debugging. */
  sources: Record<string, "flag" | "env" | "default" | "sandbox">;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const FIX = "Set SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET (a personal access token's client id and secret), or run with --sandbox to try the built-in sandbox tenant.";

function parseValue(def: OptionDef, raw: string | boolean, origin: string): unknown {
  switch (def.type) {
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      const v = raw.trim().toLowerCase();
      if (["1", "true", "yes", "on"].includes(v)) return true;
      if (["0", "false", "no", "off", ""].includes(v)) return false;
      throw new ConfigError(`${origin} must be true or false, got "${raw}".`);
    }
    case "number": {
      const n = Number(raw);
      if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(n) || n < 0) {
        throw new ConfigError(`${origin} must be a non-negative number, got "${String(raw)}".`);
      }
      return n;
    }
    case "list":
      return String(raw).split(",").map((s) => s.trim()).filter(Boolean);
    case "string": {
      const s = String(raw);
      if (def.values && !def.values.includes(s)) {
        throw new ConfigError(`${origin} must be one of ${def.values.join(", ")}, got "${s}".`);
      }
      return s;
    }
  }
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Checks and normalises the tenant root: https (or loopback http), no path, no version suffix. */
export function normaliseBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`SAIL_BASE_URL is not a URL: "${raw}". Use the tenant root, e.g. https://acme.api.identitynow.com.`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new ConfigError(`SAIL_BASE_URL must use https (plain http is only allowed for loopback addresses): "${raw}".`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(`SAIL_BASE_URL must be a plain tenant root without credentials, query or fragment: "${url.origin}".`);
  }
  const path = url.pathname.replace(/\/+$/, "");
  if (path !== "") {
    throw new ConfigError(`SAIL_BASE_URL must be the tenant root without a path or version (got "${path}"), e.g. ${url.origin}.`);
  }
  return url.origin;
}

export function resolveConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Resolved {
  const flagDefs = OPTIONS.filter((o) => o.flag);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        ...Object.fromEntries(flagDefs.map((o) => [o.flag, { type: o.type === "boolean" ? ("boolean" as const) : ("string" as const) }])),
      },
    });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.split("\n")[0]} Run with --help to see the options.`);
  }
  if (parsed.positionals.length > 0) {
    throw new ConfigError(`Unknown command "${parsed.positionals[0]}". Run with --help to see the options.`);
  }

  const values: Record<string, unknown> = {};
  const sources: Resolved["sources"] = {};
  for (const def of OPTIONS) {
    const flagValue = def.flag ? parsed.values[def.flag] : undefined;
    const envValue = def.env ? env[def.env] : undefined;
    if (flagValue !== undefined) {
      values[def.key] = parseValue(def, flagValue as string | boolean, `--${def.flag}`);
      sources[def.key] = "flag";
    } else if (envValue !== undefined && envValue !== "") {
      values[def.key] = parseValue(def, envValue, def.env!);
      sources[def.key] = "env";
    } else {
      values[def.key] = def.default;
      sources[def.key] = "default";
    }
  }

  const config = values as unknown as Config;
  const command: Command = parsed.values.help ? "help" : parsed.values.version ? "version" : "serve";
  if (command !== "serve") return { command, config, sources };

  if (config.sandbox) {
    // The sandbox supplies its own loopback URL and credentials at start-up.
    return { command, config: { ...config, baseUrl: "", clientId: "", clientSecret: "" }, sources: { ...sources, baseUrl: "sandbox", clientId: "sandbox", clientSecret: "sandbox" } };
  }
  const missing = [
    !config.baseUrl && "SAIL_BASE_URL",
    !config.clientId && "SAIL_CLIENT_ID",
    !config.clientSecret && "SAIL_CLIENT_SECRET",
  ].filter(Boolean);
  if (missing.length > 0) throw new ConfigError(`Missing ${missing.join(", ")}. ${FIX}`);
  config.baseUrl = normaliseBaseUrl(config.baseUrl);
  return { command, config, sources };
}

/** The --help text, generated from the options table. */
export function helpText(): string {
  const lines = [
    "Usage: isc-identities-mcp [options]",
    "",
    "MCP server (stdio) for the identities of a SailPoint Identity Security Cloud tenant.",
    "Credentials come from SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET.",
    "",
    "Options:",
  ];
  for (const o of OPTIONS) {
    const name = o.flag ? `--${o.flag}${o.type === "boolean" ? "" : ` ${o.placeholder ?? (o.values ? o.values.join("|") : "VALUE")}`}` : `(env only)`;
    const extra = [o.env && `env ${o.env}`, o.default !== undefined && o.default !== false && `default ${String(o.default)}`].filter(Boolean).join(", ");
    lines.push(`  ${name.padEnd(30)} ${o.description}${extra ? ` [${extra}]` : ""}`);
  }
  lines.push(`  ${"-h, --help".padEnd(30)} Show this help.`, `  ${"-v, --version".padEnd(30)} Print the version.`);
  return lines.join("\n");
}

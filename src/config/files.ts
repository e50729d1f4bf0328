// Reads the files SailPoint users already have (SDK ./config.json, CLI ~/.sailpoint/config.yaml) into plain data for resolveConfig.
import { readFileSync } from "node:fs";
import { homeFolder } from "../core/home.js";
import { join } from "node:path";

/** What SailPoint's TypeScript SDK reads from ./config.json. */
export interface SdkConfigJson {
  path: string;
  baseUrl?: string;
  clientId?: string;
  clientSecret?: string;
  /** Keys the SDK would not read, each a known key in another spelling (baseUrl for BaseURL): `${given} → ${wanted}`. */
  misspelt?: string[];
}

/** The SDK's keys in ./config.json, exactly as it reads them. */
const SDK_KEYS = ["BaseURL", "ClientId", "ClientSecret"] as const;
const loose = (key: string) => key.toLowerCase().replace(/[_\s-]/g, "");

/** The part of the SailPoint CLI's config.yaml we use: base URLs only (its secrets live in the OS keyring). */
export interface CliConfigYaml {
  path: string;
  activeEnvironment?: string;
  environments: Record<string, { baseUrl?: string }>;
}

export interface ConfigFiles {
  sdkJson?: SdkConfigJson;
  cliYaml?: CliConfigYaml;
  /** Files that exist but could not be read; reported only when a value is actually needed from them. */
  problems?: string[];
}

export interface ConfigFileLocations {
  cwd?: string;
  home?: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR")
      return undefined;
    throw err;
  }
}

/** Parses ./config.json text; keys are the SDK's (BaseURL, ClientId, ClientSecret). */
export function parseSdkConfigJson(path: string, text: string): SdkConfigJson {
  const data = JSON.parse(text) as Record<string, unknown> | null;
  if (!data || typeof data !== "object" || Array.isArray(data)) throw new Error("not a JSON object");
  const out: SdkConfigJson = { path };
  const baseUrl = str(data.BaseURL);
  const clientId = str(data.ClientId);
  const clientSecret = str(data.ClientSecret);
  if (baseUrl) out.baseUrl = baseUrl;
  if (clientId) out.clientId = clientId;
  if (clientSecret) out.clientSecret = clientSecret;
  // The SDK reads these spellings only; another one is ignored, so say which, or the user is told only what is missing.
  const misspelt = Object.keys(data).flatMap((key) => {
    const wanted = SDK_KEYS.find((k) => k !== key && loose(k) === loose(key));
    return wanted && !(wanted in data) ? [`${key} → ${wanted}`] : [];
  });
  if (misspelt.length > 0) out.misspelt = misspelt;
  return out;
}

/** Parses ~/.sailpoint/config.yaml text; the CLI writes lower-case keys. yaml is loaded only when that file exists. */
export async function parseCliConfigYaml(path: string, text: string): Promise<CliConfigYaml> {
  const { parse: parseYaml } = await import("yaml");
  const data = (parseYaml(text) ?? {}) as Record<string, unknown>;
  if (typeof data !== "object" || Array.isArray(data)) throw new Error("not a YAML mapping");
  const environments: CliConfigYaml["environments"] = {};
  const envs = data.environments;
  if (envs && typeof envs === "object" && !Array.isArray(envs)) {
    for (const [name, value] of Object.entries(envs as Record<string, unknown>)) {
      const baseUrl = value && typeof value === "object" ? str((value as Record<string, unknown>).baseurl) : undefined;
      environments[name] = baseUrl ? { baseUrl } : {};
    }
  }
  const active = str(data.activeenvironment);
  return { path, environments, ...(active ? { activeEnvironment: active } : {}) };
}

/** Reads both files if they exist. Paths are injectable so tests use temp folders. */
export async function loadConfigFiles(where: ConfigFileLocations = {}): Promise<ConfigFiles> {
  const files: ConfigFiles = {};
  const problems: string[] = [];
  // No home folder at all (HOME unset, a uid with no passwd entry: some containers): then there is no CLI config.yaml.
  const home = where.home ?? homeFolder();
  const sources = [
    {
      path: join(where.cwd ?? process.cwd(), "config.json"),
      read: (p: string, t: string) => (files.sdkJson = parseSdkConfigJson(p, t)),
    },
    ...(home
      ? [
          {
            path: join(home, ".sailpoint", "config.yaml"),
            read: async (p: string, t: string) => (files.cliYaml = await parseCliConfigYaml(p, t)),
          },
        ]
      : []),
  ];
  for (const { path, read } of sources) {
    let text: string | undefined;
    try {
      text = readIfPresent(path);
      if (text !== undefined) await read(path, text);
    } catch (err) {
      problems.push(
        `${path} could not be read (${unreadable(err, text)}); fix or remove it, or set SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET.`,
      );
    }
  }
  if (problems.length > 0) files.problems = problems;
  return files;
}

/**
 * Why a file could not be read, in words that never quote it: JSON's and YAML's own messages show an excerpt of the
 * text around the fault, and in config.json that excerpt is often the client secret (a pasted value in curly quotes).
 */
function unreadable(err: unknown, text: string | undefined): string {
  const e = err as Error & { code?: string; linePos?: { line: number; col: number }[] };
  if (e.name === "YAMLParseError") {
    const at = e.linePos?.[0];
    return `not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ""}: ${e.code ?? "syntax error"}`;
  }
  if (e instanceof SyntaxError && text !== undefined) {
    const position = /at position (\d+)/.exec(e.message);
    const before = position ? text.slice(0, Number(position[1])).split("\n") : undefined;
    const at = before ? ` at line ${before.length}, column ${before[before.length - 1]!.length + 1}` : "";
    const curly = /[\u2018\u2019\u201c\u201d]/.test(text)
      ? '; it has curly quotes, which JSON does not take: use plain "'
      : "";
    return `not valid JSON${at}${curly}`;
  }
  // Ours ("not a JSON object") or the file system's (the path and the errno): neither quotes the text.
  return e.message.split("\n")[0]!;
}

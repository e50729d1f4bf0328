// `isc-identities-mcp init --client HOST [--write]`: prints the host's config block, or merges it into the host's file after a backup.
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homeFolder } from "../core/home.js";
import { dirname, join } from "node:path";
import { ConfigError } from "../core/errors.js";
import type { Resolved } from "../config/resolve.js";
import { PLACEHOLDERS } from "../config/placeholders.js";
import { PACKAGE } from "../core/version.js";
import { HOST_SPECS, HOSTS, SERVER_NAME, type HostName, type HostPlaces } from "./init-hosts.js";
import { detectInvocation, type Invocation } from "./invocation.js";

export interface InitIo {
  /** stdout: the block alone, so it can be piped. */
  out: (line: string) => void;
  /** stderr: where the block goes and what to do next. */
  note: (line: string) => void;
  places?: Partial<HostPlaces>;
  now?: () => number;
  /** How hosts should start this server; detected from the running process when absent. */
  invocation?: Invocation;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

const UNKNOWN = new Set<unknown>(Object.values(PLACEHOLDERS));
/** A value `init` writes where it does not know the real one: a placeholder or a ${…} the host fills in. */
const isStandIn = (v: unknown) => typeof v !== "string" || UNKNOWN.has(v) || /^\$\{[^}]*\}$/.test(v);

/** Our server's env: a real value already in the file beats a stand-in, and variables the user added stay. */
function mergeEnv(existing: unknown, fresh: unknown): Json | undefined {
  if (!isObject(fresh)) return undefined;
  const old = isObject(existing) ? existing : {};
  const env: Json = { ...old };
  for (const [name, value] of Object.entries(fresh))
    env[name] = isStandIn(value) && name in old && !isStandIn(old[name]) ? old[name] : value;
  return env;
}

/** Flags `init` itself decides: they follow this run, never the old file. */
const INIT_FLAGS = new Set(["--sandbox"]);
const flagName = (arg: string) => arg.split("=", 1)[0]!;

/**
 * Our server's args: this run's command line (entry point, --sandbox), then the server flags the user added to
 * the old one (`--read-only`, `--confirm strict`, …, each with its values) unless this run sets them too.
 */
function mergeArgs(existing: unknown, fresh: unknown): unknown {
  if (!Array.isArray(fresh) || !Array.isArray(existing)) return fresh;
  const old = existing.filter((a): a is string => typeof a === "string");
  const first = old.findIndex((a) => a.startsWith("--"));
  if (first < 0) return fresh;
  const given = new Set(
    (fresh as unknown[]).filter((a): a is string => typeof a === "string" && a.startsWith("--")).map(flagName),
  );
  const kept: string[] = [];
  let keeping = false;
  for (const arg of old.slice(first)) {
    if (arg.startsWith("--")) keeping = !given.has(flagName(arg)) && !INIT_FLAGS.has(flagName(arg));
    if (keeping) kept.push(arg);
  }
  return [...(fresh as unknown[]), ...kept];
}

/** Adds (or replaces) our server under the host's key and appends missing VS Code inputs; everything else is kept. */
export function mergeBlock(existing: Json, block: Json, key: string): Json {
  const merged: Json = { ...existing };
  const servers = isObject(existing[key]) ? existing[key] : {};
  const ours = { ...((block[key] as Json)[SERVER_NAME] as Json) };
  const before = isObject(servers[SERVER_NAME]) ? servers[SERVER_NAME] : {};
  const env = mergeEnv(before.env, ours.env);
  if (env) ours.env = env;
  if ("args" in ours) ours.args = mergeArgs(before.args, ours.args);
  merged[key] = { ...servers, [SERVER_NAME]: ours };
  if (Array.isArray(block.inputs)) {
    const current = Array.isArray(existing.inputs) ? (existing.inputs as unknown[]) : [];
    const ids = new Set(current.map((i) => (isObject(i) ? i.id : undefined)));
    // An input is only worth asking for if the env still refers to it.
    const used = JSON.stringify(ours.env ?? {});
    merged.inputs = [
      ...current,
      ...(block.inputs as Json[]).filter((i) => !ids.has(i.id) && used.includes(`\${input:${String(i.id)}}`)),
    ];
  }
  return merged;
}

/** The .mcpb next to a checkout's build, when there is one. */
function bundleFile(): string | undefined {
  const file = PACKAGE.root ? join(PACKAGE.root, "dist", `${PACKAGE.name}-${PACKAGE.version}.mcpb`) : undefined;
  return file && existsSync(file) ? file : undefined;
}

/** Claude Desktop installs a .mcpb in one click and keeps its secret in the OS keychain: say so before the JSON route. */
function bundleFirst(note: (line: string) => void, sandbox: boolean, written: boolean): void {
  const file = bundleFile();
  note(
    `${HOST_SPECS["claude-desktop"].label}: the easiest and safest route is the MCP Bundle ${file ?? `${PACKAGE.name}-${PACKAGE.version}.mcpb`}${file ? "" : " (build it in a checkout with npm run bundle:mcpb; it lands in dist/)"}.`,
  );
  note(
    `  Double-click it (or Settings > Extensions > Install Extension…): Claude Desktop asks for the tenant, client id and secret${sandbox ? " (or tick the sandbox switch)" : ""} and keeps the secret in the OS keychain, not in a file.`,
  );
  note(written ? "The JSON route (done above) works too, but keeps the secret in the file." : "Or the JSON route:");
}

export function runInit(resolved: Resolved, io: InitIo): number {
  const client = resolved.init.client;
  if (!client || !(HOSTS as readonly string[]).includes(client)) {
    throw new ConfigError(`init needs --client ${HOSTS.join("|")}${client ? ` (got "${client}")` : ""}.`);
  }
  const spec = HOST_SPECS[client as HostName];
  const home = io.places?.home ?? homeFolder();
  const places: HostPlaces = {
    cwd: io.places?.cwd ?? process.cwd(),
    // Asked only by hosts whose config lives under the home folder; some containers have none (HOME unset, no passwd entry), and a relative HOME counts as none.
    get home(): string {
      if (!home)
        throw new ConfigError(
          `init --client ${client} looks for its config under the home folder, and this user has none (HOME is unset, empty or not an absolute path): pass --path <file>.`,
        );
      return home;
    },
    platform: io.places?.platform ?? process.platform,
    appData: io.places?.appData ?? (process.platform === "win32" ? process.env.APPDATA : process.env.XDG_CONFIG_HOME),
  };
  const file = resolved.init.path ?? spec.file(places);
  const { config } = resolved;
  const how =
    io.invocation ??
    detectInvocation({
      entry: process.argv[1] ?? "",
      execPath: process.execPath,
      globalPrefix: process.env.npm_config_prefix,
    });
  const input = {
    baseUrl: config.baseUrl || undefined,
    clientId: config.clientId || undefined,
    sandbox: config.sandbox,
    command: how.command,
    args: how.args,
  };
  const block = spec.block(input);
  const told = `Command: ${[how.command, ...how.args].join(" ")} (${how.kind}: ${how.why}).`;

  if (!resolved.init.write) {
    if (client === "claude-desktop") bundleFirst(io.note, config.sandbox, false);
    io.note(`${spec.label}: merge this into ${file} (or run again with --write to do it, after a backup).`);
    io.note(told);
    io.out(JSON.stringify(block, null, 2));
    io.note(spec.next(input));
    return 0;
  }

  let existing: Json = {};
  // The file may hold the client secret (a host's env block): a new one is the user's alone, an existing one keeps its mode.
  let mode = 0o600;
  if (existsSync(file)) {
    mode = statSync(file).mode & 0o777;
    const text = readFileSync(file, "utf8");
    let parsed: unknown;
    try {
      parsed = text.trim() === "" ? {} : JSON.parse(text);
    } catch {
      // JSONC (comments, trailing commas) would lose its comments if rewritten: leave the file to the user.
      throw new ConfigError(
        `${file} is not plain JSON (comments or a syntax error?); nothing was changed. Add the block printed by "init --client ${client}" by hand.`,
      );
    }
    if (!isObject(parsed)) throw new ConfigError(`${file} does not hold a JSON object; nothing was changed.`);
    existing = parsed;
    const backup = `${file}.${new Date((io.now ?? Date.now)()).toISOString().replace(/[:.]/g, "-")}.bak`;
    copyFileSync(file, backup);
    io.out(`Backed up ${file} to ${backup}`);
  }
  const replaced = isObject(existing[spec.key]) && SERVER_NAME in (existing[spec.key] as Json);
  const merged = mergeBlock(existing, block, spec.key);
  mkdirSync(dirname(file), { recursive: true });
  // Write beside the target and rename, so a crash never leaves half a config file.
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(merged, null, 2) + "\n", { mode: 0o600 });
  // Set after writing, not through the umask, so a group-readable file the user chose stays so and no other bit is lost.
  chmodSync(temp, mode);
  renameSync(temp, file);
  io.out(`${replaced ? "Updated" : "Added"} server "${SERVER_NAME}" in ${file} (${spec.label}).`);
  io.note(told);
  if (client === "claude-desktop") bundleFirst(io.note, config.sandbox, true);
  io.note(spec.next(input));
  return 0;
}

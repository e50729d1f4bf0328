// `isc-identities-mcp init --client HOST [--write]`: prints the host's config block, or merges it into the host's file after a backup.
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname } from "node:path";
import { ConfigError } from "../core/errors.js";
import type { Resolved } from "../config/resolve.js";
import { HOST_SPECS, HOSTS, SERVER_NAME, type HostName, type HostPlaces } from "./init-hosts.js";

export interface InitIo {
  /** stdout: the block alone, so it can be piped. */
  out: (line: string) => void;
  /** stderr: where the block goes and what to do next. */
  note: (line: string) => void;
  places?: Partial<HostPlaces>;
  now?: () => number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Adds (or replaces) our server under the host's key and appends missing VS Code inputs; everything else is kept. */
export function mergeBlock(existing: Json, block: Json, key: string): Json {
  const merged: Json = { ...existing };
  const servers = isObject(existing[key]) ? existing[key] : {};
  merged[key] = { ...servers, ...(block[key] as Json) };
  if (Array.isArray(block.inputs)) {
    const current = Array.isArray(existing.inputs) ? (existing.inputs as unknown[]) : [];
    const ids = new Set(current.map((i) => (isObject(i) ? i.id : undefined)));
    merged.inputs = [...current, ...(block.inputs as Json[]).filter((i) => !ids.has(i.id))];
  }
  return merged;
}

export function runInit(resolved: Resolved, io: InitIo): number {
  const client = resolved.init.client;
  if (!client || !(HOSTS as readonly string[]).includes(client)) {
    throw new ConfigError(`init needs --client ${HOSTS.join("|")}${client ? ` (got "${client}")` : ""}.`);
  }
  const spec = HOST_SPECS[client as HostName];
  const places: HostPlaces = {
    cwd: io.places?.cwd ?? process.cwd(),
    home: io.places?.home ?? homedir(),
    platform: io.places?.platform ?? process.platform,
    appData: io.places?.appData ?? (process.platform === "win32" ? process.env.APPDATA : process.env.XDG_CONFIG_HOME),
  };
  const file = resolved.init.path ?? spec.file(places);
  const { config } = resolved;
  const block = spec.block({ baseUrl: config.baseUrl || undefined, clientId: config.clientId || undefined, sandbox: config.sandbox });

  if (!resolved.init.write) {
    io.note(`${spec.label}: merge this into ${file} (or run again with --write to do it, after a backup).`);
    io.out(JSON.stringify(block, null, 2));
    io.note(spec.next);
    return 0;
  }

  let existing: Json = {};
  if (existsSync(file)) {
    const text = readFileSync(file, "utf8");
    let parsed: unknown;
    try {
      parsed = text.trim() === "" ? {} : JSON.parse(text);
    } catch {
      // JSONC (comments, trailing commas) would lose its comments if rewritten: leave the file to the user.
      throw new ConfigError(`${file} is not plain JSON (comments or a syntax error?); nothing was changed. Add the block printed by "init --client ${client}" by hand.`);
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
  writeFileSync(temp, JSON.stringify(merged, null, 2) + "\n");
  renameSync(temp, file);
  io.out(`${replaced ? "Updated" : "Added"} server "${SERVER_NAME}" in ${file} (${spec.label}).`);
  io.note(spec.next);
  return 0;
}

// Reads the command line and the environment against the options table: each value parsed by its entry, with where it came from.
import { parseArgs } from "node:util";
import leven from "leven";
import { ConfigError } from "../core/errors.js";
import { OPTIONS, type OptionDef } from "./options.js";
import { isUnexpandedBundleSetting } from "./placeholders.js";
import type { Layered } from "./tenant.js";

/** Flags of `init` only; they are not server configuration. */
const INIT_FLAGS = ["client", "write", "path"];

export interface CommandLine {
  positionals: string[];
  /** Every flag given, by its name without dashes. */
  flags: Record<string, string | boolean | undefined>;
}

/** Splits argv into positionals and known flags; an unknown flag is refused with the closest real one. */
export function readCommandLine(argv: readonly string[]): CommandLine {
  const flagDefs = OPTIONS.filter((o) => o.flag);
  try {
    const parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        client: { type: "string" },
        write: { type: "boolean" },
        path: { type: "string" },
        ...Object.fromEntries(
          flagDefs.map((o) => [o.flag, { type: o.type === "boolean" ? ("boolean" as const) : ("string" as const) }]),
        ),
      },
    });
    return { positionals: parsed.positionals, flags: parsed.values as CommandLine["flags"] };
  } catch (err) {
    throw new ConfigError(
      argumentError(err as Error & { code?: string }, argv, [
        ...flagDefs.map((o) => o.flag),
        ...INIT_FLAGS,
        "help",
        "version",
      ]),
    );
  }
}

/** Flags win over the environment, the environment over defaults (config files come later, for the tenant only). */
export function layerOptions(flags: CommandLine["flags"], env: Readonly<Record<string, string | undefined>>): Layered {
  const values: Layered["values"] = {};
  const sources: Layered["sources"] = {};
  const notes: Layered["notes"] = {};
  for (const def of OPTIONS) {
    const flagValue = def.flag ? flags[def.flag] : undefined;
    const rawEnv = def.env ? env[def.env] : undefined;
    // An MCP Bundle host leaves "${user_config.x}" as is when the user left an optional setting empty: that is "not set".
    const envValue = rawEnv !== undefined && isUnexpandedBundleSetting(rawEnv) ? undefined : rawEnv;
    if (flagValue !== undefined) {
      values[def.key] = parseValue(def, flagValue, `--${def.flag}`);
      sources[def.key] = "flag";
      notes[def.key] = `--${def.flag}`;
    } else if (envValue !== undefined && envValue !== "") {
      values[def.key] = parseValue(def, envValue, def.env!);
      sources[def.key] = "env";
      notes[def.key] = def.env!;
    } else {
      values[def.key] =
        def.type === "list" && typeof def.default === "string" ? parseValue(def, def.default, "default") : def.default;
      sources[def.key] = "default";
      notes[def.key] = "default";
    }
  }
  return { values, sources, notes };
}

/**
 * The flag a person would guess for each secret (SAIL_CLIENT_SECRET → client-secret): secrets have no flag, since flags
 * show up in process lists, so such a guess is pointed at its variable.
 */
const SECRET_GUESSES = new Map(
  OPTIONS.filter((o) => o.secret && o.env).map((o) => [
    o
      .env!.replace(/^(SAIL|ISC_MCP)_/, "")
      .toLowerCase()
      .replaceAll("_", "-"),
    o.env!,
  ]),
);

/** parseArgs' messages run on about "--" and positionals; say what was wrong and the closest real flag. */
function argumentError(err: Error & { code?: string }, argv: readonly string[], flags: readonly string[]): string {
  const help = "Run with --help to see the options.";
  if (err.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    // "argument is ambiguous": the value starts with a dash (a negative number, or the next flag); "missing": none.
    const flag = /'--([a-z-]+)/.exec(err.message)?.[1];
    const def = OPTIONS.find((o) => o.flag && o.flag === flag);
    if (flag && def) {
      // The occurrence parseArgs refused: the one followed by a dash or by nothing (a flag may be given twice).
      const at = argv.findIndex((a, i) => a === `--${flag}` && (argv[i + 1] ?? "-").startsWith("-"));
      const next = at >= 0 ? argv[at + 1] : undefined;
      const numeric = next !== undefined && next.trim() !== "" && Number.isFinite(Number(next));
      if (def.type === "number" && numeric) return `--${flag} must be a non-negative number, got "${next}".`;
      if (numeric || (next !== undefined && !next.startsWith("--")))
        return `--${flag} got "${next}", which starts with a dash: write --${flag}=${next} if that is the value.`;
      return `--${flag} needs a value (--${flag} ${def.placeholder ?? "VALUE"}). ${help}`;
    }
  }
  if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const given = /'([^']+)'/.exec(err.message)?.[1] ?? "";
    const name = given.replace(/^-+/, "").split("=")[0]!;
    const secret = SECRET_GUESSES.get(name.toLowerCase());
    if (secret)
      return `--${name} is not an option: secrets are read from the environment only (flags show up in process lists). Set ${secret} instead.`;
    const ranked = flags.map((f) => ({ f, d: leven(name.toLowerCase(), f) })).sort((a, b) => a.d - b.d);
    // A typo (edits of at most a third of the letters), else a real flag the given one starts.
    const close = ranked[0] && ranked[0].d <= Math.max(2, Math.floor(name.length / 3)) ? ranked[0].f : undefined;
    const guess = close ?? (name.length >= 3 ? flags.find((f) => f.startsWith(name)) : undefined);
    return `Unknown option ${given}.${guess ? ` Did you mean --${guess}?` : ""} ${help}`;
  }
  return `${err.message.split("\n")[0]!.replace(/\.?$/, ".")} ${help}`;
}

export function parseValue(def: OptionDef, raw: string | boolean, origin: string): unknown {
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
    case "list": {
      const items = String(raw)
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const stranger = def.items && items.find((item) => !def.items!.includes(item));
      if (stranger !== undefined)
        throw new ConfigError(`${origin} lists "${stranger}", which is not one of ${def.items!.join(", ")}.`);
      return items;
    }
    case "string": {
      const s = String(raw);
      if (def.values && !def.values.includes(s)) {
        throw new ConfigError(`${origin} must be one of ${def.values.join(", ")}, got "${s}".`);
      }
      return s;
    }
  }
}

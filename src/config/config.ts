// The resolved configuration's type, derived from the options table: a new option is a new field, typed by its entry.
import { OPTIONS, type OptionDef, type OptionTable } from "./options.js";

type Option = OptionTable[number];

/** No default and not required: absent unless set. */
type Maybe<D, T> = D extends { default: unknown } ? T : D extends { required: true } ? T : T | undefined;

/** The value one entry resolves to: its type, narrowed to its allowed values, absent where it may be. */
type ValueOf<D extends Option> = D extends { type: "boolean" }
  ? boolean
  : D extends { type: "number" }
    ? number
    : D extends { type: "list" }
      ? Maybe<D, D extends { items: readonly (infer I)[] } ? I[] : string[]>
      : Maybe<D, D extends { values: readonly (infer V)[] } ? V : string>;

export type Config = { [D in Option as D["key"]]: ValueOf<D> };

/** Why a layered value is not its entry's type, or undefined when it is. */
function mismatch(def: OptionDef, value: unknown): string | undefined {
  // No default and not required: absent unless set. A required one is absent until the tenant sources are read, and
  // resolution refuses to serve without it (resolve.ts), so it is checked here only when present.
  if (value === undefined) return def.default === undefined ? undefined : "missing";
  switch (def.type) {
    case "boolean":
      return typeof value === "boolean" ? undefined : "not a boolean";
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? undefined : "not a number";
    case "list":
      return Array.isArray(value) && value.every((v) => typeof v === "string" && (!def.items || def.items.includes(v)))
        ? undefined
        : "not a list of its items";
    case "string":
      if (typeof value !== "string") return "not a string";
      return !def.values || def.values.includes(value) ? undefined : "not one of its values";
  }
}

/**
 * TypeScript cannot follow a loop over the table into the mapped type above, so the layered values become a Config
 * through this check, not a cast: every entry's value is of its entry's type, and nothing else is there.
 */
export function assertConfig(values: Record<string, unknown>): asserts values is Config {
  const keys = new Set(OPTIONS.map((def) => def.key));
  const stray = Object.keys(values).find((key) => !keys.has(key));
  if (stray !== undefined) throw new Error(`Config has "${stray}", which the options table does not list.`);
  for (const def of OPTIONS) {
    const why = mismatch(def, values[def.key]);
    // The value itself stays out of the message: it may be a secret.
    if (why !== undefined) throw new Error(`Config's ${def.key} is ${why}.`);
  }
}

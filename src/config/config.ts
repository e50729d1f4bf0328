// The resolved configuration's type, derived from the options table: a new option is a new field, typed by its entry.
import type { OptionTable } from "./options.js";

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

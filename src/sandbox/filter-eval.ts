// Turns a parsed filter into a predicate over the sandbox's identities.
import type { FilterField, FilterNode } from "./filter-parser.js";
import type { Identity, IdentityFlags } from "./model.js";

export type IdentityPredicate = (identity: Identity, flags: IdentityFlags | undefined) => boolean;

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** Reads a filterable field; strings are compared case-insensitively (except `id`), as ISC does for names. */
function read(field: FilterField, i: Identity, flags: IdentityFlags | undefined): string | boolean | null {
  switch (field) {
    case "id":
      return i.id;
    case "name":
      return i.name;
    case "alias":
      return i.alias;
    case "firstname":
      return str(i.attributes["firstname"]);
    case "lastname":
      return str(i.attributes["lastname"]);
    case "email":
      return i.emailAddress;
    case "cloudStatus":
      return str(i.attributes["cloudStatus"]);
    case "processingState":
      return i.processingState;
    case "correlated":
      return flags?.correlated ?? false;
    case "protected":
      return flags?.protected ?? false;
  }
}

const fold = (field: FilterField, v: string): string => (field === "id" ? v : v.toLowerCase());

export function compileFilter(node: FilterNode): IdentityPredicate {
  switch (node.kind) {
    case "and": {
      const l = compileFilter(node.left),
        r = compileFilter(node.right);
      return (i, f) => l(i, f) && r(i, f);
    }
    case "or": {
      const l = compileFilter(node.left),
        r = compileFilter(node.right);
      return (i, f) => l(i, f) || r(i, f);
    }
    case "not": {
      const inner = compileFilter(node.operand);
      return (i, f) => !inner(i, f);
    }
    case "isnull":
      return (i, f) => read(node.field, i, f) === null;
    case "in": {
      const wanted = new Set(node.values.map((v) => fold(node.field, v)));
      return (i, f) => {
        const v = read(node.field, i, f);
        return typeof v === "string" && wanted.has(fold(node.field, v));
      };
    }
    case "eq":
    case "sw": {
      const { field, value, kind } = node;
      if (typeof value === "boolean") return (i, f) => read(field, i, f) === value;
      const want = fold(field, value);
      return (i, f) => {
        const v = read(field, i, f);
        if (typeof v !== "string") return false;
        const have = fold(field, v);
        return kind === "eq" ? have === want : have.startsWith(want);
      };
    }
  }
}

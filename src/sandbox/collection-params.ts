// Parses the list operation's standard collection parameters: limit, offset, count, sorters, defaultFilter.
import { badRequest } from "./errors.js";
import type { Identity } from "./model.js";

export interface CollectionParams {
  limit: number;
  offset: number;
  count: boolean;
  correlatedOnly: boolean;
}

function integer(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw))
    throw badRequest(`Invalid value "${raw}" for query parameter "${name}": must be an integer between 0 and ${max}`);
  const n = Number(raw);
  if (n > max)
    throw badRequest(`Invalid value "${raw}" for query parameter "${name}": must be an integer between 0 and ${max}`);
  return n;
}

export function parseCollectionParams(query: URLSearchParams): CollectionParams {
  const limit = integer(query, "limit", 250, 250);
  const offset = integer(query, "offset", 0, Number.MAX_SAFE_INTEGER);
  const countRaw = query.get("count");
  if (countRaw !== null && countRaw !== "true" && countRaw !== "false") {
    throw badRequest(`Invalid value "${countRaw}" for query parameter "count": must be true or false`);
  }
  const defaultFilter = query.get("defaultFilter") ?? "CORRELATED_ONLY";
  if (defaultFilter !== "CORRELATED_ONLY" && defaultFilter !== "NONE") {
    throw badRequest(
      `Invalid value "${defaultFilter}" for query parameter "defaultFilter": must be CORRELATED_ONLY or NONE`,
    );
  }
  return { limit, offset, count: countRaw === "true", correlatedOnly: defaultFilter === "CORRELATED_ONLY" };
}

const SORTABLE: Record<string, (i: Identity) => string> = {
  name: (i) => i.name.toLowerCase(),
  alias: (i) => i.alias.toLowerCase(),
  cloudStatus: (i) => (typeof i.attributes["cloudStatus"] === "string" ? i.attributes["cloudStatus"] : ""),
};

/** A comparator for `sorters` ("name,-cloudStatus"); ties keep the default order (Array#sort is stable). */
export function parseSorters(raw: string): (a: Identity, b: Identity) => number {
  const keys = raw.split(",").map((part) => {
    const text = part.trim();
    const desc = text.startsWith("-");
    const field = desc ? text.slice(1) : text;
    const key = Object.hasOwn(SORTABLE, field) ? SORTABLE[field] : undefined;
    if (!key) {
      throw badRequest(
        `Invalid sorter "${text}": sorting is supported for the fields name, alias, cloudStatus (prefix "-" for descending)`,
      );
    }
    return { key, sign: desc ? -1 : 1 };
  });
  return (a, b) => {
    for (const { key, sign } of keys) {
      const x = key(a),
        y = key(b);
      if (x !== y) return x < y ? -sign : sign;
    }
    return 0;
  };
}

// The names of the first identities a mass action touches, for the page: read from ISC, best effort (the count is what is confirmed).
import * as z from "zod";
import type { IscRead } from "../../isc/body.js";
import { SAMPLE_SIZE } from "./render.js";

const LIST = z
  .array(z.looseObject({ name: z.unknown().optional(), id: z.unknown().optional() }))
  .describe("a list of identities");

/** Ids the arguments name (process: identityIds, invite: ids), or "unregistered" for invite with uninvited: true. */
function targets(args: Record<string, unknown>): string[] | "unregistered" | undefined {
  if (args.uninvited === true) return "unregistered";
  const ids = Array.isArray(args.identityIds) ? args.identityIds : Array.isArray(args.ids) ? args.ids : undefined;
  return ids?.filter((v): v is string => typeof v === "string");
}

export async function sampleNames(read: IscRead, args: Record<string, unknown>): Promise<string[] | undefined> {
  const which = targets(args);
  if (!which || (Array.isArray(which) && which.length === 0)) return undefined;
  // Ids were validated by the tool's schema (letters, digits, - and _), so they sit safely inside the filter's quotes.
  const filters =
    which === "unregistered"
      ? 'cloudStatus eq "UNREGISTERED"'
      : `id in (${which
          .slice(0, SAMPLE_SIZE)
          .map((id) => `"${id}"`)
          .join(",")})`;
  try {
    const res = await read("GET", "identities", LIST, {
      searchParams: { filters, defaultFilter: "NONE", limit: SAMPLE_SIZE, sorters: "name" },
    });
    return res.data.map((i) => String(i.name ?? i.id ?? "")).filter(Boolean);
  } catch {
    return undefined;
  }
}

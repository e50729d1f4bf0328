// The names of the first identities a mass action touches, for the page: read from ISC, best effort (the count is what is confirmed).
import * as z from "zod";
import type { IscRead } from "../../isc/body.js";
import type { Touched } from "../plan.js";
import { SAMPLE_SIZE } from "./render.js";

const LIST = z
  .array(z.looseObject({ name: z.unknown().optional(), id: z.unknown().optional() }))
  .describe("a list of identities");

/** The names of the first identities `touched` names (as the tool's plan gave them), sorted; undefined when none or unreadable. */
export async function sampleNames(read: IscRead, touched: Touched): Promise<string[] | undefined> {
  let filters: string;
  if ("filter" in touched) filters = touched.filter;
  else if (touched.identities.length === 0) return undefined;
  // Ids were validated by the tool's schema (letters, digits, - and _), so they sit safely inside the filter's quotes.
  else
    filters = `id in (${touched.identities
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

// list_identities: find identities with ISC's filters and sorters; pages automatically up to maxItems.
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { asIdentity, identityLine, shapeIdentity, type IdentityRow } from "../src/views/identity.js";
import { fieldsArg, identityRow, viewArg } from "../src/mcp/tool-args.js";
import { ANY_LIST } from "../src/isc/any-body.js";

const PAGE = 250;

export const listIdentities = defineTool({
  name: "list_identities",
  title: "List identities",
  description: "Find identities by name, alias, email, status and more. Start here to get the id the other tools need.",
  kind: "read",
  rights: "idn:identity:read or idn:identity:manage",
  errorHints: {
    400: 'Fix the arguments: filters support id (eq, in), name/alias/firstname/lastname/email (eq, sw), cloudStatus/processingState/correlated/protected (eq), e.g. name sw "Ali"; sorters: name, alias, cloudStatus.',
  },
  inputSchema: z.object({
    filters: z
      .string()
      .max(4000)
      .optional()
      .describe(
        'ISC filter, e.g. name sw "Ali". Fields: id (eq, in), name/alias/firstname/lastname/email (eq, sw), cloudStatus/processingState/correlated/protected (eq); and/or/not.',
      ),
    sorters: z
      .string()
      .regex(
        /^-?(name|alias|cloudStatus)(,-?(name|alias|cloudStatus))*$/,
        "must list name, alias or cloudStatus, comma separated, - for descending",
      )
      .optional()
      .describe("name, alias, cloudStatus; comma separated; - prefix = descending."),
    defaultFilter: z
      .enum(["CORRELATED_ONLY", "NONE"])
      .optional()
      .describe("CORRELATED_ONLY (ISC default) or NONE to include uncorrelated identities."),
    count: z.boolean().optional().describe("Also return the total count."),
    // Not 0: a page of nothing would point the model at the offset it just asked for, again and again.
    limit: z
      .number()
      .int()
      .min(1, "must be at least 1 (for just the total, use limit 1 with count true)")
      .max(250)
      .default(50)
      .describe("Page size."),
    offset: z.number().int().min(0).default(0).describe("Records to skip."),
    maxItems: z
      .number()
      .int()
      .min(1)
      .max(2000)
      .optional()
      .describe("Fetch up to this many across pages (overrides limit)."),
    view: viewArg,
    fields: fieldsArg,
  }),
  outputSchema: z.object({
    items: z.array(identityRow),
    offset: z.number(),
    limit: z.number(),
    total: z.number().optional(),
    nextOffset: z.number().optional().describe("Offset of the next page, if any."),
    truncated: z.boolean().optional().describe("maxItems stopped the listing early."),
  }),
  async handler(args, ctx) {
    const want = args.maxItems ?? args.limit;
    const items: IdentityRow[] = [];
    let offset = args.offset;
    let total: number | undefined;
    let more = false;
    // One ISC request per page of up to 250; a short page means the end was reached.
    do {
      const pageSize = args.maxItems ? Math.min(PAGE, want - items.length) : args.limit;
      const res = await ctx.request("GET", "identities", ANY_LIST, {
        searchParams: {
          filters: args.filters,
          sorters: args.sorters,
          defaultFilter: args.defaultFilter,
          count: args.count && total === undefined ? true : undefined,
          limit: pageSize,
          offset,
        },
      });
      if (args.count && total === undefined) {
        const header = Number(res.headers.get("x-total-count"));
        if (Number.isFinite(header)) total = header;
      }
      for (const raw of res.data) items.push(shapeIdentity(asIdentity(raw, "GET /identities"), args.view, args.fields));
      offset += res.data.length;
      more = res.data.length >= pageSize;
      if (args.maxItems) await ctx.progress(items.length, want, `${items.length} identities read`);
    } while (args.maxItems && more && items.length < want);

    // A next page only past this one: an empty page never sends the model back to the offset it just read.
    const mayHaveMore = offset > args.offset && (total !== undefined ? offset < total : more);
    const truncated = args.maxItems !== undefined && mayHaveMore ? true : undefined;
    const structured = {
      items,
      offset: args.offset,
      limit: args.maxItems ?? args.limit,
      ...(total !== undefined ? { total } : {}),
      ...(mayHaveMore ? { nextOffset: offset } : {}),
      ...(truncated ? { truncated } : {}),
    };
    const head = `${items.length} identit${items.length === 1 ? "y" : "ies"}${total !== undefined ? ` of ${total}` : ""} from offset ${args.offset}.`;
    const tail = mayHaveMore ? `More: call again with offset ${offset}.` : "";
    return { structured, text: [head, ...items.map(identityLine), tail].filter(Boolean).join("\n") };
  },
});

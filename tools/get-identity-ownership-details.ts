// get_identity_ownership_details: what an identity owns (roles, sources, campaigns...), i.e. what blocks deleting it.
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { ownedLine, readOwnershipResponse } from "../src/views/ownership.js";
import { apiPath } from "../src/isc/paths.js";
import { compactOrFullArg, identityIdArg } from "../src/mcp/tool-args.js";
import { ANY_BODY } from "../src/isc/any-body.js";

export const getIdentityOwnershipDetails = defineTool({
  name: "get_identity_ownership_details",
  title: "Get identity ownership",
  description:
    "List the objects an identity owns. Anything owned must be reassigned before the identity can be deleted.",
  kind: "read",
  rights: "idn:identity:read",
  inputSchema: z.object({
    identityId: identityIdArg,
    view: compactOrFullArg("compact (default): one row per owned object; full: ISC's response as is."),
  }),
  outputSchema: z.object({
    identityId: z.string(),
    owned: z.array(z.looseObject({ associationType: z.string() })),
    // The spec's IdentityOwnershipAssociationDetails: associationDetails is an array, but its examples (and some tenants) send one object.
    raw: z
      .looseObject({ associationDetails: z.union([z.array(z.looseObject({})), z.looseObject({})]).optional() })
      .optional(),
  }),
  async handler(args, ctx) {
    const res = await ctx.request("GET", apiPath`identities/${args.identityId}/ownership`, ANY_BODY);
    const owned = readOwnershipResponse(res.data, "GET /identities/{identityId}/ownership");
    const text = owned.length
      ? [`Owns ${owned.length} object(s); reassign them before deleting:`, ...owned.map(ownedLine)].join("\n")
      : "Owns nothing: ownership does not block deletion.";
    return {
      structured: {
        identityId: args.identityId,
        owned,
        ...(args.view === "full" ? { raw: res.data as Record<string, unknown> } : {}),
      },
      text,
    };
  },
});

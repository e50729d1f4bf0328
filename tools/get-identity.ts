// get_identity: one identity by id, as a summary, a projection or in full.
import * as z from "zod";
import { defineTool } from "../src/mcp/define-tool.js";
import { asIdentity, identityLine, shapeIdentity } from "../src/views/identity.js";
import { apiPath } from "../src/isc/paths.js";
import { fieldsArg, identityIdArg, identityRow, viewArg } from "../src/mcp/tool-args.js";
import { ANY_BODY } from "../src/isc/any-body.js";

export const getIdentity = defineTool({
  name: "get_identity",
  title: "Get identity",
  description: "Read one identity by id (from list_identities).",
  kind: "read",
  rights: "idn:identity:read or idn:identity:manage",
  inputSchema: z.object({ identityId: identityIdArg, view: viewArg, fields: fieldsArg }),
  outputSchema: z.object({ identity: identityRow }),
  async handler(args, ctx) {
    const res = await ctx.request("GET", apiPath`identities/${args.identityId}`, ANY_BODY);
    const identity = shapeIdentity(asIdentity(res.data, "GET /identities/{id}"), args.view, args.fields);
    const text = args.view === "full" && !args.fields ? JSON.stringify(identity) : identityLine(identity);
    return { structured: { identity }, text };
  },
});

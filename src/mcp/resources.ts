// The resource template isc://identities/{identityId}: an identity's summary as JSON, for hosts that attach resources.
import { internalError, invalidParams } from "./protocol-errors.js";
import type { Server } from "@modelcontextprotocol/server";
import { startDeadline } from "../core/deadline.js";
import { IscError } from "../core/errors.js";
import { asIdentity, summarize } from "../views/identity.js";
import type { IscClient } from "../isc/client.js";
import { apiPath, ID_PATTERN } from "../isc/paths.js";
import { callerOf } from "./caller.js";
import type { Inventory } from "./inventory.js";
import { IDENTITY_TEMPLATE } from "./resource-templates.js";

const URI = /^isc:\/\/identities\/([^/?#]+)$/;

export function registerResources(server: Server, inventory: Inventory, isc: IscClient, callTimeoutMs: number): void {
  server.setRequestHandler("resources/list", async () => ({ resources: [] }));

  // The templates the inventory gives this caller: one whose tool is not offered, or not theirs, is neither listed nor read.
  server.setRequestHandler("resources/templates/list", async (_request, ctx) => ({
    resourceTemplates: inventory.templatesFor(callerOf(ctx.http?.authInfo)).map(({ tool: _tool, ...listed }) => listed),
  }));

  server.setRequestHandler("resources/read", async (request, ctx) => {
    const uri = request.params.uri;
    const id = URI.exec(uri)?.[1];
    const offered = inventory
      .templatesFor(callerOf(ctx.http?.authInfo))
      .some((t) => t.uriTemplate === IDENTITY_TEMPLATE);
    if (!offered)
      throw invalidParams(`Unknown resource "${uri}": this server offers no resource template here.`, { uri });
    if (!id || !ID_PATTERN.test(id)) {
      throw invalidParams(`Unknown resource "${uri}": expected ${IDENTITY_TEMPLATE} with a 32-hex identity id.`, {
        uri,
      });
    }
    const deadline = startDeadline(ctx.mcpReq.signal, callTimeoutMs);
    try {
      const res = await isc.request("GET", apiPath`identities/${id}`, { signal: deadline.signal });
      const summary = summarize(asIdentity(res.data, "GET /identities/{id}"));
      return { contents: [{ uri, mimeType: "application/json", text: JSON.stringify(summary) }] };
    } catch (err) {
      if (err instanceof IscError && err.status === 404) {
        throw invalidParams(`No identity ${id}: find ids with the list_identities tool.`, { uri });
      }
      throw internalError(err instanceof Error ? err.message : String(err));
    } finally {
      deadline.clear();
    }
  });
}

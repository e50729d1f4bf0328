// The resource templates this server can offer, each tied to the tool whose data it serves: the inventory offers one where it offers that tool.

export interface TemplateDef {
  uriTemplate: string;
  name: string;
  title: string;
  description: string;
  mimeType: string;
  /** The tool that reads the same data: a caller who may not call it gets neither the template nor its reads. */
  tool: string;
}

export const IDENTITY_TEMPLATE = "isc://identities/{identityId}";

export const TEMPLATES: readonly TemplateDef[] = [
  {
    uriTemplate: IDENTITY_TEMPLATE,
    name: "identity",
    title: "ISC identity",
    description: "An identity's summary (id, name, alias, email, status, lifecycle, manager) as JSON.",
    mimeType: "application/json",
    tool: "get_identity",
  },
];

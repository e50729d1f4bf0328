// The per-call bench's floor: the SDK's low-level Server on stdio (both eras, through the SDK's own serveStdio) with one
// tool that makes the same GET the server's get_identity makes, with plain fetch and no validation, guard, retries or
// rate budget: what any server on this SDK pays.
import { Server } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";

const base = process.env.SAIL_BASE_URL!;
const form = new URLSearchParams({
  grant_type: "client_credentials",
  client_id: process.env.SAIL_CLIENT_ID!,
  client_secret: process.env.SAIL_CLIENT_SECRET!,
});
const { access_token: token } = (await (await fetch(`${base}/oauth/token`, { method: "POST", body: form })).json()) as {
  access_token: string;
};

const acceptAll = {
  getValidator: () => (input: unknown) => ({ valid: true as const, data: input as never, errorMessage: undefined }),
};
const makeServer = () => {
  const server = new Server(
    { name: "call-floor", version: "1.0.0" },
    { capabilities: { tools: {} }, jsonSchemaValidator: acceptAll },
  );
  server.setRequestHandler("tools/list", () => ({
    tools: [{ name: "get_identity", inputSchema: { type: "object" as const } }],
  }));
  server.setRequestHandler("tools/call", async (request) => {
    const id = encodeURIComponent(String(request.params.arguments?.identityId));
    const identity = (await (
      await fetch(`${base}/identities/v1/${id}`, {
        headers: { authorization: `Bearer ${token}`, accept: "application/json" },
      })
    ).json()) as Record<string, unknown>;
    // About the size of the server's own answer: a few fields, as structured content and as one line of text.
    const view = {
      id: identity.id,
      name: identity.name,
      alias: identity.alias,
      email: identity.emailAddress,
      status: identity.identityStatus,
    };
    return { content: [{ type: "text" as const, text: JSON.stringify(view) }], structuredContent: { identity: view } };
  });
  return server;
};
// The SDK's own stdio serving in both eras, as the server's (it passes a line transport of its own).
serveStdio(makeServer);

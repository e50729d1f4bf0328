// The SDK's own floor for the cold-start bench: its low-level Server served on stdio in both eras by the SDK's serveStdio
// (as the server is), one static tool, no ajv; of this project only zod's jitless setting, first. Bundled as a plain
// CommonJS script (scripts/bundle.ts), the cheapest way node starts it: no ES module loader, and at this size no code
// cache (one was measured slower here).
import "../src/cli/boot/zod-jitless.js";
import { Server } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";

// A validator that accepts anything, so the SDK builds no ajv instance (the bundle also leaves ajv out, see scripts/bundle.ts).
const acceptAll = {
  getValidator: () => (input: unknown) => ({ valid: true as const, data: input as never, errorMessage: undefined }),
};
serveStdio(() => {
  const server = new Server(
    { name: "floor", version: "1.0.0" },
    { capabilities: { tools: {} }, jsonSchemaValidator: acceptAll },
  );
  server.setRequestHandler("tools/list", () => ({
    tools: [{ name: "echo", description: "Echo the text.", inputSchema: { type: "object" as const } }],
  }));
  return server;
});

// Stateless mode of the HTTP transport: a fresh MCP server and transport per POST, so any replica can answer any request.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Server } from "@modelcontextprotocol/server";
import { NodeStreamableHTTPServerTransport } from "@modelcontextprotocol/node";
import type { Logger } from "../../core/log.js";
import { replyError } from "./reply.js";

export function createStatelessHandler(opts: { makeServer: () => Server; log: Logger }) {
  const open = new Set<Server>();
  return {
    async handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
      // Without sessions there is no stream to resume and nothing to end: only POST means anything.
      if (req.method !== "POST") return replyError(res, 405, "Method not allowed: this server is stateless; send JSON-RPC with POST.", { headers: { allow: "POST" } });
      const server = opts.makeServer();
      const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      transport.onerror = (err) => opts.log.debug(`HTTP request: ${err.message}`);
      open.add(server);
      res.on("close", () => {
        open.delete(server);
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    },
    async closeAll(): Promise<void> {
      await Promise.all([...open].map((s) => s.close().catch(() => {})));
      open.clear();
    },
  };
}

// The stdio pages' listener on 127.0.0.1: loaded by the first confirmation page only (serving.ts), so a start loads no node:http.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../core/log.js";
import { pageIdFromPath } from "./handler.js";

export type PageRequestHandler = (req: IncomingMessage, res: ServerResponse, id: string) => Promise<void>;

/** Listens on 127.0.0.1 and a free port; answers 404 for anything but a page, and 500 if the handler fails. */
export function listenOnLoopback(
  handler: () => PageRequestHandler,
  log: Logger,
): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const s = createServer((req, res) => {
      const id = pageIdFromPath((req.url ?? "/").split("?")[0]!);
      if (id === undefined) {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
        return void res.end("Not found.");
      }
      handler()(req, res, id).catch((err: unknown) => {
        log.error(`confirmation page: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
        res.end("Internal error.");
      });
    });
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      s.off("error", reject);
      resolve({ server: s, port: (s.address() as AddressInfo).port });
    });
  });
}

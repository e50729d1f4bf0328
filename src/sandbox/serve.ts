// Serves a sandbox on a real loopback port with node:http, so faults can really drop the socket.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { internalHandlerOf, type InternalHandler } from "./create-sandbox.js";
import { isStalled } from "./faults.js";
import type { Sandbox, ServedSandbox } from "./types.js";

async function bridge(
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  handle: InternalHandler,
  origin: string,
): Promise<void> {
  // Aborts the Request when the client goes away, so a delayed fault stops waiting.
  const controller = new AbortController();
  outgoing.once("close", () => {
    if (!outgoing.writableFinished) controller.abort();
  });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const method = incoming.method ?? "GET";
    const headers = new Headers();
    for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2)
      headers.append(incoming.rawHeaders[i] as string, incoming.rawHeaders[i + 1] as string);
    const target = incoming.url ?? "/";
    // Concatenate rather than resolve, so a target like "//x" stays a path instead of becoming a host.
    const url = target.startsWith("/") ? origin + target : target;
    const hasBody = method !== "GET" && method !== "HEAD";
    const request = new Request(url, {
      method,
      headers,
      body: hasBody ? Buffer.concat(chunks) : undefined,
      signal: controller.signal,
    });
    const response = await handle(request, { rawTarget: target });
    if (isStalled(response) && response.body) {
      // The head and the first bytes go out now; the body then fails when the client goes away, which drops the socket.
      outgoing.writeHead(response.status, Object.fromEntries(response.headers));
      for await (const chunk of response.body) outgoing.write(chunk);
      outgoing.end();
      return;
    }
    const payload = Buffer.from(await response.arrayBuffer());
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    outgoing.end(payload);
  } catch {
    // A reset fault, an aborted request or an unparseable one: drop the connection without a response.
    incoming.socket.destroy();
  }
}

/** Listens on `host` (default 127.0.0.1) and `port` (default 0: a free one); `url` has no trailing slash. */
export async function serveSandbox(
  sandbox: Sandbox,
  opts: { host?: string; port?: number } = {},
): Promise<ServedSandbox> {
  const host = opts.host ?? "127.0.0.1";
  const handle: InternalHandler = internalHandlerOf(sandbox) ?? ((req) => sandbox.handler(req));
  let origin = "";
  const server = createServer((incoming, outgoing) => {
    void bridge(incoming, outgoing, handle, origin);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets from fetch would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

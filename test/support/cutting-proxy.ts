// A loopback TCP proxy that drops the connection of a tool call's SSE stream right after its priming event, as an idle-timeout proxy would.
import { createServer, connect, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export interface CuttingProxy {
  /** The target URL with the proxy's port. */
  url: string;
  /** Streams cut so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

/**
 * Forwards bytes both ways untouched. A connection whose request was a `tools/call` is destroyed (both sides) as soon
 * as the server's `retry:` line (the priming event) has been passed on, at most `maxCuts` times; every other
 * connection (initialize, the resuming GET, later calls) goes through.
 */
export async function startCuttingProxy(target: string, maxCuts = 1): Promise<CuttingProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let cuts = 0;
  const server = createServer((client) => {
    const origin = connect(Number(upstream.port), upstream.hostname);
    sockets.add(client).add(origin);
    let sentCall = false;
    const cut = () => {
      client.destroy();
      origin.destroy();
    };
    client.on("data", (chunk: Buffer) => {
      if (chunk.includes('"tools/call"')) sentCall = true;
      origin.write(chunk);
    });
    origin.on("data", (chunk: Buffer) => {
      client.write(chunk);
      if (sentCall && cuts < maxCuts && chunk.includes("\nretry: ")) {
        cuts++;
        sentCall = false;
        setImmediate(cut);
      }
    });
    for (const s of [client, origin]) {
      s.on("error", cut);
      s.on("close", () => {
        sockets.delete(s);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(target);
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    get cuts() {
      return cuts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

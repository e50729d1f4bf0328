// Reads a request body under a size cap, so an oversized or endless body is refused before it is buffered.
import type { IncomingMessage } from "node:http";

export type CappedBody = { ok: true; text: string } | { ok: false; problem: "too-large" | "unreadable" };

export function readCappedBody(req: IncomingMessage, limit: number): Promise<CappedBody> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(discard(req));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off("data", onData);
      req.off("end", onEnd);
      resolve(discard(req));
    };
    const onEnd = () => resolve({ ok: true, text: Buffer.concat(chunks).toString("utf8") });
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", () => resolve({ ok: false, problem: "unreadable" }));
  });
}

/**
 * Drops the rest of the body without keeping it (not destroying the socket), so the client reads our 413
 * rather than a reset connection; Node's requestTimeout still bounds a body that never ends.
 */
export function discard(req: IncomingMessage): CappedBody {
  req.resume();
  return { ok: false, problem: "too-large" };
}

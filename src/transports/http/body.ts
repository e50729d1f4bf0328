// Reads a JSON request body under a size cap, so an oversized or endless body is refused (413) before it is buffered.
import type { IncomingMessage } from "node:http";

export type BodyResult = { ok: true; body: unknown } | { ok: false; status: 400 | 413; message: string };

export function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const tooLarge: BodyResult = { ok: false, status: 413, message: `Request body larger than ${limit} bytes.` };
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(discard(req, tooLarge));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off("data", onData);
      req.off("end", onEnd);
      resolve(discard(req, tooLarge));
    };
    const onEnd = () => {
      try {
        resolve({ ok: true, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown });
      } catch {
        resolve({ ok: false, status: 400, message: "Parse error: the request body is not valid JSON." });
      }
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", () => resolve({ ok: false, status: 400, message: "The request body could not be read." }));
  });
}

/**
 * Drops the rest of the body without keeping it (not destroying the socket), so the client reads our 413
 * rather than a reset connection; Node's requestTimeout still bounds a body that never ends.
 */
function discard(req: IncomingMessage, result: BodyResult): BodyResult {
  req.resume();
  return result;
}

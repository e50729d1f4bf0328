// Reads a JSON request body under a size cap, so an oversized or endless body is refused (413) before it is buffered.
import type { IncomingMessage } from "node:http";
import { readCappedBody } from "../../core/capped-body.js";

export type BodyResult = { ok: true; body: unknown } | { ok: false; status: 400 | 413; message: string };

export async function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const read = await readCappedBody(req, limit);
  if (!read.ok) {
    return read.problem === "too-large"
      ? { ok: false, status: 413, message: `Request body larger than ${limit} bytes.` }
      : { ok: false, status: 400, message: "The request body could not be read." };
  }
  try {
    return { ok: true, body: JSON.parse(read.text) as unknown };
  } catch {
    return { ok: false, status: 400, message: "Parse error: the request body is not valid JSON." };
  }
}

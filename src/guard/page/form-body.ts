// Reads an HTML form's POST body (application/x-www-form-urlencoded) under a small size cap.
import type { IncomingMessage } from "node:http";
import { discard, readCappedBody } from "../../core/capped-body.js";

export type FormResult = { ok: true; form: URLSearchParams } | { ok: false; status: 400 | 413 | 415; message: string };

export async function readFormBody(req: IncomingMessage, limit: number): Promise<FormResult> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    discard(req);
    return { ok: false, status: 415, message: "an answer is a form submission." };
  }
  const read = await readCappedBody(req, limit);
  if (read.ok) return { ok: true, form: new URLSearchParams(read.text) };
  return read.problem === "too-large"
    ? { ok: false, status: 413, message: `the answer is larger than ${limit} bytes.` }
    : { ok: false, status: 400, message: "the answer could not be read." };
}

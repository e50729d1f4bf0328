// Reads an HTML form's POST body (application/x-www-form-urlencoded) under a small size cap.
import type { IncomingMessage } from "node:http";

export type FormResult = { ok: true; form: URLSearchParams } | { ok: false; status: 400 | 413 | 415; message: string };

export function readFormBody(req: IncomingMessage, limit: number): Promise<FormResult> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    req.resume();
    return Promise.resolve({ ok: false, status: 415, message: "an answer is a form submission." });
  }
  const tooLarge: FormResult = { ok: false, status: 413, message: `the answer is larger than ${limit} bytes.` };
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off("data", onData);
      req.resume();
      resolve(tooLarge);
    };
    req.on("data", onData);
    req.on("end", () => resolve({ ok: true, form: new URLSearchParams(Buffer.concat(chunks).toString("utf8")) }));
    req.on("error", () => resolve({ ok: false, status: 400, message: "the answer could not be read." }));
  });
}

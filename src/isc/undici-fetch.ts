// ky's `fetch` for ISC, sent with undici's request(): fetch would copy ky's Request a third time and wrap the answer in its own streams machinery.
import { Agent, request } from "undici";
import type { Readable, Transform } from "node:stream";
import type { UnderlyingSource } from "node:stream/web";
import { constants, createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

/** One keep-alive pool for the process, with undici's defaults: the same timeouts as the Agent behind `fetch`. */
const agent = new Agent();

/** Statuses whose Response must have no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** How fetch decodes a body (one coding; any other is handed over as it came, as fetch does). */
const DECODERS: Record<string, () => Transform> = {
  gzip: () => createGunzip({ flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH }),
  "x-gzip": () => createGunzip({ flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH }),
  deflate: () => createInflate({ flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH }),
  br: () => createBrotliDecompress(),
};

/**
 * What ky hands `fetch` is always a Request (its own, with the signal that carries the call's deadline, its
 * cancellation and ky's timeout). Errors read as fetch's do: a network failure is a TypeError "fetch failed" whose
 * cause is the socket's error (network-cause.ts and client.ts read that chain), an abort is the signal's reason, and a
 * body cut off midway fails its read with a TypeError "terminated" whose cause says why. Redirects are not followed:
 * ISC sends none, and a 3xx reaches the caller as an HTTP error instead of carrying the token elsewhere.
 */
export async function undiciFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  // ky passes its Request with the options fetch alone would know, `{}` for ours: copying it then would be the third
  // Request this file exists to avoid.
  const req =
    input instanceof Request && (init === undefined || Object.keys(init).length === 0)
      ? input
      : new Request(input, init);
  const { signal } = req;
  const headers: string[] = [];
  req.headers.forEach((value, name) => headers.push(name, value));
  // Ask for what fetch asks for (it decodes the answer too): list pages of identities compress well.
  if (!req.headers.has("accept-encoding"))
    headers.push("accept-encoding", req.url.startsWith("https:") ? "br, gzip, deflate" : "gzip, deflate");
  // ky's JSON or form body is a stream; read back (as bytes: exact whatever it holds), undici sends it with a length.
  const body = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
  let answer: Awaited<ReturnType<typeof request>>;
  try {
    answer = await request(req.url, { method: req.method as "GET", headers, body, signal, dispatcher: agent });
  } catch (error) {
    throw signal.aborted ? signal.reason : new TypeError("fetch failed", { cause: error });
  }
  const { statusCode: status, body: raw } = answer;
  try {
    const answerHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (Array.isArray(value)) for (const one of value) answerHeaders.append(name, one);
      else if (value !== undefined) answerHeaders.append(name, value);
    }
    if (NULL_BODY.has(status) || req.method === "HEAD") {
      raw.dump().catch(() => undefined);
      return new Response(null, { status, headers: answerHeaders });
    }
    const decoder = DECODERS[answerHeaders.get("content-encoding")?.trim().toLowerCase() ?? ""];
    // ky's own Request too when `req` is a copy: the copy's signal follows ky's only while ky's Request lives.
    const held = input instanceof Request && input !== req ? [req, input] : [req];
    const body = webBody(decoder ? decoded(raw, decoder()) : raw, signal, held);
    return new Response(body, { status, headers: answerHeaders });
  } catch (error) {
    // An answer no Response can carry (a status outside 200-599 from a broken proxy): its connection is let go, and the
    // error names the status instead of a bare RangeError.
    raw.destroy();
    const why = `ISC's answer has HTTP status ${status}, which no client can take (a proxy in between?)`;
    throw new TypeError("fetch failed", { cause: new Error(why, { cause: error }) });
  }
}

/** undici's answer body: a Readable that can also be drained. */
type Body = Awaited<ReturnType<typeof request>>["body"];

/**
 * pipe() does not pass an error on: a socket cut mid-body must end the decoded stream too. And a body that fails to
 * decode (a corrupt answer, an error page labelled gzip) or is cancelled is drained, up to 1 MB (beyond, undici closes
 * the connection): left paused, its connection would stay busy until undici's 300 s body timeout.
 */
function decoded(raw: Body, decoder: Transform): Readable {
  raw.once("error", (error) => decoder.destroy(error));
  decoder.once("close", () => {
    if (raw.readableEnded) return;
    raw.unpipe(decoder);
    raw.dump({ limit: 1 << 20 }).catch(() => undefined);
  });
  return raw.pipe(decoder);
}

/**
 * The answer's body as the web stream a Response reads, fed by the socket's chunks (Buffers are Uint8Arrays), paused
 * while 16 chunks wait unread. A deadline or cancellation mid-body ends it with the signal's reason, as fetch's does.
 *
 * The stream holds ky's `requests` until it is done. `signal` is a Request's, and it follows the call's signal only
 * while that Request lives: Node's `Request` keeps the link through a WeakRef and a FinalizationRegistry, and ky lets
 * go of its Request as soon as it has the Response. A full garbage collection while the body was still arriving then
 * cut the link, and the call's deadline could no longer end a body that had stopped (the call waited for undici's
 * 300-s body timeout). The stream lets go of its source, and so of the Requests, once it closes or fails.
 */
function webBody(source: Readable, signal: AbortSignal, requests: Request[]): ReadableStream<Uint8Array> {
  const underlying: UnderlyingSource<Uint8Array> & { requests: Request[] } = {
    requests,
    start(controller) {
      source.on("data", (chunk: Buffer) => {
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 1) <= 0) source.pause();
      });
      source.once("end", () => controller.close());
      source.once("error", (error) =>
        controller.error(signal.aborted ? signal.reason : new TypeError("terminated", { cause: error })),
      );
    },
    pull() {
      source.resume();
    },
    cancel(reason) {
      source.destroy(reason instanceof Error ? reason : undefined);
    },
  };
  return new ReadableStream<Uint8Array>(underlying, { highWaterMark: 16 });
}

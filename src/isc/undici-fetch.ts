// ky's `fetch` for ISC, sent with undici's request(): fetch would copy ky's Request a third time, and its Response reads
// through web streams (answer.ts).
import { Agent, request } from "undici";
import type { Readable, Transform } from "node:stream";
import { constants, createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { Answer, type ArrivingBody } from "./answer.js";

/** One keep-alive pool for the process, with undici's defaults: the same timeouts as the Agent behind `fetch`. */
const agent = new Agent();

/** Statuses that carry no body: fetch gives none, whatever came. */
const NULL_BODY = new Set([204, 205, 304]);

/**
 * How fetch decodes a body (one coding; any other is handed over as it came, as fetch does). A Map: a coding named
 * `constructor` must not find a built-in.
 */
const DECODERS = new Map<string, () => Transform>([
  ["gzip", () => createGunzip({ flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH })],
  ["x-gzip", () => createGunzip({ flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH })],
  ["deflate", () => createInflate({ flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH })],
  ["br", () => createBrotliDecompress()],
]);

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
  let answerHeaders: Headers;
  try {
    // A status no Response can carry (outside 200-599, from a broken proxy) is named.
    if (status < 200 || status > 599)
      throw new Error(`ISC's answer has HTTP status ${status}, which no client can take (a proxy in between?)`);
    answerHeaders = headersOf(answer.headers);
  } catch (error) {
    // Its connection is let go: a body left paused is never timed out by undici.
    raw.once("error", () => undefined).destroy();
    throw new TypeError("fetch failed", { cause: error });
  }
  if (NULL_BODY.has(status) || req.method === "HEAD") {
    raw.dump().catch(() => undefined);
    return new Answer(status, answerHeaders, req.url, null);
  }
  const decoder = DECODERS.get(answerHeaders.get("content-encoding")?.trim().toLowerCase() ?? "");
  // ky's own Request too when `req` is a copy: the copy's signal follows ky's only while ky's Request lives.
  const held = input instanceof Request && input !== req ? [req, input] : [req];
  return new Answer(status, answerHeaders, req.url, arriving(decoder ? decoded(raw, decoder()) : raw, signal, held));
}

/**
 * undici's header values are read as UTF-8; fetch reads their bytes as Latin-1 (all a header can hold). A value with
 * anything beyond ASCII is turned back into its bytes and read as fetch reads it: a `€` from a proxy would otherwise
 * make `Headers` throw. undici already did so for `content-disposition` when `content-length` came too. (Bytes that are
 * not UTF-8 reached us as U+FFFD already: those read differently from fetch, but never fail.)
 */
function headersOf(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  const asLatin1 = "content-length" in raw ? (name: string) => name !== "content-disposition" : () => true;
  const add = (name: string, value: string) =>
    headers.append(
      name,
      NOT_ASCII.test(value) && asLatin1(name) ? Buffer.from(value, "utf8").toString("latin1") : value,
    );
  for (const [name, value] of Object.entries(raw)) {
    if (Array.isArray(value)) for (const one of value) add(name, one);
    else if (value !== undefined) add(name, value);
  }
  return headers;
}

const NOT_ASCII = /[^\x00-\x7f]/;

/** undici's answer body: a Readable that can also be drained. */
type Body = Awaited<ReturnType<typeof request>>["body"];

/**
 * pipe() does not pass an error on: a socket cut mid-body must end the decoded stream too. And a body that fails to
 * decode (a corrupt answer, an error page labelled gzip) or that nobody read past the limit below is drained, up to
 * 1 MB (beyond, undici closes the connection): left paused, its connection would stay busy for good, since undici does
 * not time out a body its reader has paused.
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

/** How much of an answer may arrive before anyone asks for it. Past it, nobody will (ky dropped a retried answer). */
const UNREAD_LIMIT = 1 << 20;

/**
 * The body, read from the first chunk on: an answer nobody reads (a retried 503) still lets go of its connection. Once
 * more than UNREAD_LIMIT of it arrived unasked, it is destroyed: undici closes the connection (for a decoded body,
 * `decoded` first drains up to 1 MB more of what came). The one who takes it gets all of it, as fetch's text() does. A
 * deadline or cancellation mid-body fails it with the signal's reason, a cut connection with TypeError "terminated",
 * as fetch's do. client.ts and auth.ts take a body in the same turn as ky hands the answer over, before the socket is
 * read again; a wait in between would make a body over UNREAD_LIMIT fail ("nobody read the answer's first … bytes").
 *
 * `requests` (ky's) are held until the body ends. `signal` is a Request's, and it follows the call's signal only while
 * that Request lives: Node's `Request` keeps the link through a WeakRef and a FinalizationRegistry, and ky lets go of
 * its Request as soon as it has the answer. A full garbage collection while the body was still arriving then cut the
 * link, and the call's deadline could no longer end a body that had stopped (the call waited for undici's 300-s body
 * timeout). The listeners below hold them, and drop them once the body ends or fails.
 */
function arriving(source: Readable, signal: AbortSignal, requests: Request[]): ArrivingBody {
  const pinned = { requests };
  let taken = false;
  let size = 0;
  const chunks: Buffer[] = [];
  const whole = new Promise<Uint8Array>((done, fail) => {
    source.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (!taken && size > UNREAD_LIMIT) source.destroy(new Error(`nobody read the answer's first ${size} bytes`));
    });
    source.once("end", () => {
      pinned.requests = [];
      done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    source.once("error", (error) => {
      pinned.requests = [];
      chunks.length = 0;
      fail(signal.aborted ? signal.reason : new TypeError("terminated", { cause: error }));
    });
  });
  // A body nobody takes must not fail as an unhandled rejection.
  whole.catch(() => undefined);
  return {
    take: () => {
      taken = true;
      return whole;
    },
  };
}

// The Response ky gets from undici-fetch.ts: the reading side of a fetch Response over bytes that are already arriving,
// with no web stream unless someone asks for `body`.

const utf8 = new TextDecoder();

/**
 * On Node 20, a `new Response` over a web `ReadableStream`, then `text()` through that stream's reader, cost ~90 µs of
 * each ISC call (docs/benchmarks.md, run 12): more than everything else this server adds to a call. ky and client.ts
 * read an answer once, whole, and look at its status and headers; that is what this class does directly, and a real
 * Response is built only for the readers nobody here uses (`blob`, `formData`).
 *
 * `bytes` is the whole body, read from the socket from the start (so an answer nobody reads, such as a retried 503,
 * never holds its connection); it fails as fetch's body does (the signal's reason, or TypeError "terminated").
 * Like fetch's, a body is read once (`bodyUsed`), and `clone()` gives a second reader of the same bytes (ky clones for
 * its afterResponse hooks, which telemetry uses).
 */
export class Answer implements Response {
  readonly ok: boolean;
  readonly redirected = false;
  /** undici's request() does not pass the reason phrase on (HTTP/2 has none). */
  readonly statusText = "";
  readonly type = "basic" as const;
  #used = false;
  #stream: ReadableStream<Uint8Array> | undefined;

  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly url: string,
    private readonly bytesRead: Promise<Uint8Array>,
  ) {
    this.ok = status >= 200 && status <= 299;
    // An answer that is never read (ky drops a retried one) must not fail as an unhandled rejection.
    bytesRead.catch(() => undefined);
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  /** A web stream of the bytes, made on first use (ky only cancels it, when it drops a clone). */
  get body(): ReadableStream<Uint8Array> {
    return (this.#stream ??= new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        controller.enqueue(await this.#take());
        controller.close();
      },
    }));
  }

  /** A copy, as fetch's: a small Buffer from the socket is a view into a pool shared with other answers. */
  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.#take());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  /** UTF-8 with a leading BOM dropped (TextDecoder's default), as fetch's text() reads; JSON.parse would fail on one. */
  async text(): Promise<string> {
    return utf8.decode(await this.#take());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async blob(): Promise<Blob> {
    return (await this.#response()).blob();
  }

  /** @deprecated in the fetch types for Response; read through a real Response, as fetch would. */
  async formData(): Promise<FormData> {
    return (await this.#response()).formData();
  }

  clone(): Answer {
    if (this.#used) throw new TypeError("Response.clone: Body has already been consumed.");
    return new Answer(this.status, new Headers(this.headers), this.url, this.bytesRead);
  }

  /** The bytes, once: a second read fails as fetch's does. */
  #take(): Promise<Uint8Array> {
    if (this.#used) return Promise.reject(new TypeError("Body is unusable: Body has already been read"));
    this.#used = true;
    return this.bytesRead;
  }

  async #response(): Promise<Response> {
    const bytes = await this.#take();
    return new Response(bytes, { status: this.status, headers: this.headers });
  }
}

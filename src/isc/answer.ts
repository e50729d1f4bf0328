// The Response ky gets from undici-fetch.ts: the reading side of a fetch Response over a body that is already arriving,
// with no web stream unless someone asks for `body`.

const utf8 = new TextDecoder();
const EMPTY = new Uint8Array();

/** A body as it arrives. `take()` is the promise of all of it (the same promise each time); until then it may be let go. */
export interface ArrivingBody {
  take(): Promise<Uint8Array>;
}

/**
 * On Node 20, a `new Response` over a web `ReadableStream`, then `text()` through that stream's reader, cost ~90 µs of
 * each ISC call (docs/benchmarks.md, run 12): the largest single share of what this server added to a call above the
 * SDK's floor. ky, client.ts and auth.ts read an answer once, whole, and look at its status and headers; that is what
 * this class does directly, and a real Response is built only for the readers nobody here uses (`blob`, `formData`).
 *
 * `arriving` is the body (null for a status or method that has none, as fetch's `body` is). Like fetch's, it is read
 * once (`bodyUsed`), and `clone()` gives a second reader of the same bytes (ky clones for its afterResponse hooks,
 * which telemetry uses, then cancels the clone's `body`: that reads nothing).
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
    private readonly arriving: ArrivingBody | null,
  ) {
    this.ok = status >= 200 && status <= 299;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  /** A web stream of the bytes, made on first use; it takes the body only when read (no chunk is pulled ahead). */
  get body(): ReadableStream<Uint8Array> | null {
    if (!this.arriving) return null;
    return (this.#stream ??= new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          controller.enqueue(await this.#take());
          controller.close();
        },
      },
      { highWaterMark: 0 },
    ));
  }

  /** A copy, as fetch's: a small Buffer from the socket is a view into a pool shared with other answers. */
  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.#take());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer;
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
    return new Answer(this.status, new Headers(this.headers), this.url, this.arriving);
  }

  /** The bytes, once: a second read fails as fetch's does. */
  #take(): Promise<Uint8Array> {
    if (this.#used) return Promise.reject(new TypeError("Body is unusable: Body has already been read"));
    this.#used = true;
    return this.arriving ? this.arriving.take() : Promise.resolve(EMPTY);
  }

  async #response(): Promise<Response> {
    const bytes = await this.#take();
    return new Response(this.arriving ? bytes : null, { status: this.status, headers: this.headers });
  }
}

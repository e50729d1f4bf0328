// What ky's undici transport (src/isc/undici-fetch.ts) must do as fetch did: decode compressed answers, speak TLS with
// NODE_EXTRA_CA_CERTS, and never follow a redirect with the token; against real servers on 127.0.0.1.
import { spawnSync, execFileSync } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { createIscClient } from "../../src/isc/client.js";
import { undiciFetch } from "../../src/isc/undici-fetch.js";
import { IscError } from "../../src/core/errors.js";
import { until } from "../support/until.js";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
async function listen(server: Server, handler: Handler): Promise<string> {
  server.on("request", handler);
  servers.push(server);
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as { port: number };
  return `127.0.0.1:${port}`;
}

const tokens = { getToken: async () => "t0ken", invalidate: () => undefined, fetchCount: 0 };
const options = { apiVersion: "v2025" as const, tokens, requestTimeoutMs: 5_000, maxRetryAfterSeconds: 1 };
const client = (baseUrl: string) => createIscClient({ ...options, baseUrl });

const identity = { id: "2c9180835d2e5168015d32f890ca1581", name: "Ada", attributes: { note: "x".repeat(2_000) } };

describe("the undici transport", () => {
  it("asks for compressed answers and decodes gzip and brotli, as fetch does", async () => {
    const asked: string[] = [];
    const host = await listen(createServer(), (req, res) => {
      asked.push(String(req.headers["accept-encoding"]));
      const json = Buffer.from(JSON.stringify(identity));
      const br = req.url?.includes("brotli");
      res.writeHead(200, { "content-type": "application/json", "content-encoding": br ? "br" : "gzip" });
      res.end(br ? brotliCompressSync(json) : gzipSync(json));
    });
    const isc = client(`http://${host}`);
    expect((await isc.request("GET", "identities/gzip")).data).toEqual(identity);
    expect((await isc.request("GET", "identities/brotli")).data).toEqual(identity);
    expect(asked).toEqual(["gzip, deflate", "gzip, deflate"]);
  });

  // An answer labelled gzip that is not (a gateway's error page, a corrupt body) fails its read. Larger than what
  // undici buffers, it must be drained or its connection closed: left paused, the connection would stay busy, mid-answer,
  // for good (undici does not time out a body its reader has paused).
  it("lets go of the connection of a body that fails to decode, and the next request still answers", async () => {
    let junkSocket: import("node:net").Socket | undefined;
    let junkClosed = false;
    const host = await listen(createServer(), (req, res) => {
      if (req.url?.includes("junk")) {
        junkSocket = req.socket;
        req.socket.once("close", () => (junkClosed = true));
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end(Buffer.alloc(8_000_000, 7));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(identity));
    });
    const isc = client(`http://${host}`);
    const failed = await isc.request("GET", "identities/junk").catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(IscError);
    expect(junkSocket).toBeDefined();
    expect((await isc.request("GET", "identities/fine")).data).toEqual(identity);
    await until(() => junkClosed, "the failed answer's connection is let go", 2_500, 2);
  });

  it("does not follow a redirect: the 302 is an HTTP error, and the token goes nowhere else", async () => {
    let elsewhere = 0;
    const other = await listen(createServer(), (_req, res) => {
      elsewhere++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(identity));
    });
    const host = await listen(createServer(), (_req, res) => {
      res.writeHead(302, { location: `http://${other}/v2025/identities/x` }).end();
    });
    const err = await client(`http://${host}`)
      .request("GET", "identities/x")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IscError);
    expect(err).toMatchObject({ kind: "http", status: 302 });
    expect(elsewhere).toBe(0);
  });

  it("sends a write's JSON body whole, with its type and length", async () => {
    const got: { type?: string; length?: string; body: string }[] = [];
    const host = await listen(createServer(), (req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        got.push({ type: req.headers["content-type"], length: req.headers["content-length"], body });
        res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ id: "task" }));
      });
    });
    const sent = { identityIds: ["a", "b"], note: "ünïcode" };
    const answer = await client(`http://${host}`).request("POST", "identities/process", { json: sent });
    expect(answer).toMatchObject({ status: 202, data: { id: "task" } });
    expect(got).toEqual([
      { type: "application/json", length: String(Buffer.byteLength(JSON.stringify(sent))), body: JSON.stringify(sent) },
    ]);
  });
  // ky drops a retried answer unread. Paused mid-body, its connection would stay busy for good (undici does not time
  // out a body its reader has paused); read on without end, it would grow memory for as long as the server sends. Past
  // 1 MB that nobody asked for, the connection is closed.
  it("closes the connection of a retried 503 whose endless body nobody reads, and the retry answers", async () => {
    let firstClosed: boolean | undefined;
    const server = createServer();
    const host = await listen(server, (req, res) => {
      if (firstClosed === undefined) {
        firstClosed = false;
        req.socket.once("close", () => (firstClosed = true));
        res.writeHead(503, { "content-type": "text/plain" });
        const chunk = Buffer.alloc(64 * 1024, 120);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
        };
        res.on("drain", pump);
        pump();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(identity));
    });
    try {
      const isc = createIscClient({ ...options, baseUrl: `http://${host}`, retryBackoffMs: 1 });
      expect((await isc.request("GET", "identities/x")).data).toEqual(identity);
      await until(() => firstClosed === true, "the unread answer's connection is closed", 2_500, 2);
    } finally {
      server.closeAllConnections();
    }
  });

  // A proxy's header with a byte beyond ASCII: fetch reads header bytes as Latin-1; undici hands over UTF-8, which
  // `Headers` refused (a "ByteString" TypeError, the body left paused, and the call retried as "could not reach ISC").
  it("reads a header value beyond ASCII as fetch does, and the call answers", async () => {
    const host = await listen(createServer(), (req) => {
      const json = JSON.stringify(identity);
      req.socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-note: Preis 5 € café\r\n`);
      // undici itself reads this one as Latin-1 when a content-length comes with it: it must not be read twice.
      req.socket.write(`content-disposition: attachment; filename="café €.json"\r\n`);
      req.socket.end(`connection: close\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`);
    });
    const url = `http://${host}/v2025/identities/x`;
    const answer = await undiciFetch(new Request(url));
    const fetched = await fetch(url);
    for (const name of ["x-note", "content-disposition"])
      expect(answer.headers.get(name), name).toBe(fetched.headers.get(name));
    expect(answer.headers.get("x-note")).toBe(Buffer.from("Preis 5 € café").toString("latin1"));
    expect(await answer.json()).toEqual(identity);
    expect((await client(`http://${host}`).request("GET", "identities/x")).data).toEqual(identity);
  });

  it("reads a body as fetch does: a leading BOM dropped, UTF-8 decoded", async () => {
    const host = await listen(createServer(), (_req, res) => {
      const json = Buffer.from(JSON.stringify({ ...identity, name: "Zoë" }));
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json]));
    });
    expect((await client(`http://${host}`).request("GET", "identities/x")).data).toMatchObject({ name: "Zoë" });
  });

  it("hands over a body whose coding it does not know as it came, as fetch does, even one named `constructor`", async () => {
    const host = await listen(createServer(), (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "constructor" });
      res.end(JSON.stringify(identity));
    });
    expect((await client(`http://${host}`).request("GET", "identities/x")).data).toEqual(identity);
  });

  it("names an HTTP status no client can take (a broken proxy's 600) instead of failing on it", async () => {
    const host = await listen(createServer(), (req) => {
      req.socket.end("HTTP/1.1 600 Odd\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}");
    });
    const err = await createIscClient({ ...options, baseUrl: `http://${host}`, retryLimit: 0 })
      .request("GET", "identities/x")
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: "network" });
    expect((err as Error).message).toContain("ISC's answer has HTTP status 600, which no client can take");
  });
});

describe("the undici transport's answer, read as ky and its hooks read a Response", () => {
  it("reads once, clones before a read, and carries status, headers and url", async () => {
    const host = await listen(createServer(), (_req, res) => {
      res.writeHead(404, { "content-type": "application/json", "x-deprecated": "true" }).end('{"detailCode":"404"}');
    });
    const answer = await undiciFetch(new Request(`http://${host}/v2025/identities/x`));
    expect(answer).toMatchObject({ status: 404, ok: false, url: `http://${host}/v2025/identities/x`, bodyUsed: false });
    expect(answer.headers.get("x-deprecated")).toBe("true");
    const copy = answer.clone();
    expect(await answer.json()).toEqual({ detailCode: "404" });
    expect(answer.bodyUsed).toBe(true);
    await expect(answer.text()).rejects.toThrow(TypeError);
    expect(() => answer.clone()).toThrow(TypeError);
    expect(await new Response(copy.body).text()).toBe('{"detailCode":"404"}');
  });

  it("has no body for a 204, and taking `body` alone reads nothing", async () => {
    const host = await listen(createServer(), (req, res) => {
      if (req.url?.includes("empty")) res.writeHead(204).end();
      else res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    const empty = await undiciFetch(new Request(`http://${host}/empty`));
    expect(empty.body).toBeNull();
    expect(await empty.clone().text()).toBe("");
    expect((await empty.blob()).size).toBe(0);
    const full = await undiciFetch(new Request(`http://${host}/full`));
    expect(full.body).not.toBeNull();
    await new Promise((later) => setTimeout(later, 20));
    expect(full.bodyUsed).toBe(false);
    expect(await full.json()).toEqual({});
  });
});

const OPENSSL = spawnSync("sh", ["-c", "command -v openssl"], { encoding: "utf8" }).stdout.trim() || undefined;
const describeWithOpenssl = OPENSSL ? describe : process.env.CI ? describe : describe.skip;
if (!OPENSSL && !process.env.CI) process.stderr.write("skipping the TLS transport test: openssl is not installed\n");

describeWithOpenssl("the undici transport over TLS", () => {
  it("reaches an https tenant whose CA is in NODE_EXTRA_CA_CERTS, and names the TLS failure without it", async () => {
    if (!OPENSSL) throw new Error("openssl is not installed (apt-get install openssl)");
    const dir = mkdtempSync(join(tmpdir(), "isc-tls-"));
    try {
      execFileSync(OPENSSL, [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
      ], { stdio: "ignore" }); // prettier-ignore
      const host = await listen(
        createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }),
        (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(identity)),
      );
      // NODE_EXTRA_CA_CERTS is read when a process starts: each case is a fresh node running the built client.
      const script = `import { createIscClient } from ${JSON.stringify(new URL("../../dist/src/isc/client.js", import.meta.url).href)};
        const tokens = { getToken: async () => "t0ken", invalidate: () => undefined, fetchCount: 0 };
        const isc = createIscClient({ baseUrl: "https://${host}", apiVersion: "v2025", tokens, requestTimeoutMs: 5000, maxRetryAfterSeconds: 1, retryLimit: 0 });
        isc.request("GET", "identities/x").then((r) => console.log(JSON.stringify(r.data.name)), (e) => console.log(e.message));`;
      const run = async (env: Record<string, string>) => {
        const { spawn } = await import("node:child_process");
        const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
          env: { PATH: process.env.PATH ?? "", ...env },
        });
        let out = "";
        child.stdout.on("data", (c: Buffer) => (out += c.toString()));
        await new Promise((done) => child.on("close", done));
        return out.trim();
      };
      expect(await run({ NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") })).toBe('"Ada"');
      expect(await run({})).toMatch(
        /^Could not reach ISC for GET \/v2025\/identities\/x \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

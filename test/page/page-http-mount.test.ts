// Confirmation pages on the HTTP transport's own listener: no bearer token (a browser cannot send one), --public-url honoured.
import { afterEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";
import { createLogger } from "../../src/core/log.js";
import { createConfirmationPages, type ConfirmationPages } from "../../src/guard/page/pages.js";
import { createMemoryStore, type GuardStore } from "../../src/guard/store.js";
import { fixedServing, pageBase } from "../../src/guard/page/serving.js";
import { startHttpServer, type HttpServing } from "../../src/transports/http/server.js";
import { DELETE_VIEW, answer, raw } from "../support/page-fixtures.js";

let serving: HttpServing | undefined;
afterEach(async () => {
  await serving?.close();
  serving = undefined;
});

let store: GuardStore;
async function start(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ pages: ConfirmationPages; port: () => number }> {
  store = createMemoryStore();
  const { config } = resolveConfig(["--sandbox", "--http", "--port", "0", ...argv], env);
  const log = createLogger("silent");
  let port = 0;
  const pages = createConfirmationPages({
    store,
    serving: fixedServing(() => (port ? pageBase(config, port) : undefined), "set --public-url"),
    log,
  });
  serving = await startHttpServer(
    config,
    () => {
      throw new Error("no MCP in this test");
    },
    log,
    { pages },
  );
  port = serving.port;
  return { pages, port: () => port };
}

const open = async (pages: ConfirmationPages) => {
  const { pending, url } = await pages.open({
    binding: "b",
    channel: "url",
    data: { view: DELETE_VIEW, accept: ["Adam.Kennedy"] },
    expiresAt: Date.now() + 60_000,
  });
  return { record: pending, url };
};

describe("confirmation pages on the HTTP listener", () => {
  it("are served without the bearer token that /mcp needs, and answer", async () => {
    const { pages, port } = await start([], { ISC_MCP_HTTP_TOKEN: "t0ken-t0ken-t0ken-t0ken" });
    const { record, url } = await open(pages);
    expect(url).toBe(`http://127.0.0.1:${port()}/confirm/${record.id}`);
    expect(
      (
        await raw(`http://127.0.0.1:${port()}/mcp`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        })
      ).status,
    ).toBe(401);
    const page = await raw(url);
    expect(page.status).toBe(200);
    expect(page.body).toContain("Adam.Kennedy");
    expect((await answer(url, { answer: "confirm", name: "Adam.Kennedy" })).status).toBe(200);
    expect((await store.findPending({ binding: "b" }, Date.now()))?.answer).toEqual({ confirmed: true });
  });

  it("live under --public-url and answer only to its host and origin", async () => {
    // A TLS proxy would sit in front; on loopback plain http is allowed, which lets the test reach the listener directly.
    const probe = await start([]);
    const taken = probe.port();
    await serving!.close();
    const { pages } = await start(["--port", String(taken), "--public-url", `http://localhost:${taken}/isc/`]);
    const { record, url } = await open(pages);
    expect(url).toBe(`http://localhost:${taken}/isc/confirm/${record.id}`);
    expect((await raw(url)).status).toBe(200);
    // A proxy that strips the prefix reaches the same page.
    expect((await raw(`http://localhost:${taken}/confirm/${record.id}`)).status).toBe(200);
    // The listener's own address is not the page's host.
    expect((await raw(`http://127.0.0.1:${taken}/isc/confirm/${record.id}`)).status).toBe(403);
    expect(
      (await answer(url, { answer: "confirm", name: "Adam.Kennedy" }, { origin: `http://127.0.0.1:${taken}` })).status,
    ).toBe(403);
    expect((await answer(url, { answer: "cancel" })).status).toBe(200);
  });

  it("have no reachable URL on a wildcard bind without --public-url, and --public-url must be https off loopback", async () => {
    const { pages } = await start(["--host", "0.0.0.0"], { ISC_MCP_HTTP_TOKEN: "t0ken-t0ken-t0ken-t0ken" });
    expect(pages.unreachable()).toBe("set --public-url");
    await expect(open(pages)).rejects.toThrow("set --public-url");
    expect(() => resolveConfig(["--sandbox", "--http", "--public-url", "http://mcp.example.com"], {})).toThrow(
      /must use https/,
    );
    expect(
      resolveConfig(["--sandbox", "--http", "--public-url", "https://mcp.example.com/a/"], {}).config.publicUrl,
    ).toBe("https://mcp.example.com/a/");
  });
});

// Two --stateless replicas with sign-in on one real Redis behind a proxy that splits the page's sign-in between them: the login started on A, the provider's callback and the answer on B, the call asked on A and retried on B; one delete.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithBrowser, launchBrowser, type TestBrowser } from "../support/browser.js";
import { serveTenant, type ServedTenant } from "../support/cli-process.js";
import { deletable } from "../support/confirm-e2e.js";
import { writeRequests } from "../support/guard-helpers.js";
import { MODERN } from "../support/modern-cli.js";
import { startOidcProvider, type OidcFixture } from "../support/oidc-provider.js";
import { describeWithRedis, startRedisServer, type RedisServer } from "../support/redis-server.js";
import { roundText, untilTracking, type RawRound } from "../support/replica.js";
import { AUDIENCE, startSignedInCli, visitAs, type SignedInCli } from "../support/signin-e2e.js";

const KEY = "signin-replicas-confirm-key-0123456789";
const SCOPES = ["identities:read", "identities:write", "identities:destructive"];
const ANA = { sub: "ana", name: "ana.lead" };

/** Which replica the proxy sent each browser request to, in order. */
type Hop = { replica: "A" | "B"; method: string; path: string; status: number; setsCookie: boolean };

/**
 * The load balancer in front of the pages, made to do the worst a non-sticky one may: a page's GETs go to A, the
 * provider's callback and the page's answer (POST) to B. Host and cookies pass untouched, as a proxy passes them.
 */
async function startSplittingProxy(
  a: () => string,
  b: () => string,
  hops: Hop[],
): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const replica = path.startsWith("/signin/callback") || req.method === "POST" ? "B" : "A";
    const to = new URL(replica === "A" ? a() : b());
    const up = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        hops.push({
          replica,
          method: req.method ?? "",
          path: path.replace(/confirm\/[\w-]+/, "confirm/<id>"),
          status: answer.statusCode ?? 0,
          setsCookie: answer.headers["set-cookie"] !== undefined,
        });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on("error", () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

describeWithRedis("page sign-in across two --stateless replicas", () => {
  describeWithBrowser("(chromium, the built server, one Redis, a shared ISC_MCP_CONFIRM_KEY)", () => {
    let idp: OidcFixture;
    let tenant: ServedTenant;
    let redis: RedisServer;
    let browser: TestBrowser;
    let proxy: { port: number; server: Server };
    let a: SignedInCli;
    let b: SignedInCli;
    const hops: Hop[] = [];
    const clients: ModernClient[] = [];
    beforeAll(async () => {
      [idp, tenant, redis, browser] = await Promise.all([
        startOidcProvider({ accounts: [{ sub: "ana", preferred_username: "ana.lead", scopes: SCOPES }] }),
        serveTenant({ identities: 20 }),
        startRedisServer(),
        launchBrowser(),
      ]);
      proxy = await startSplittingProxy(
        () => new URL(a.url).origin,
        () => new URL(b.url).origin,
        hops,
      );
      // As deployment.md runs replicas: one Redis, one key, the public URL of the load balancer in front of them.
      const args = ["--stateless", "--redis-url", redis.url, "--public-url", `http://127.0.0.1:${proxy.port}/`];
      [a, b] = await Promise.all([
        startSignedInCli(idp, tenant, args, { env: { ISC_MCP_CONFIRM_KEY: KEY } }),
        startSignedInCli(idp, tenant, args, { env: { ISC_MCP_CONFIRM_KEY: KEY } }),
      ]);
      await untilTracking({ origin: new URL(a.url).origin }, { origin: new URL(b.url).origin });
    }, 60_000);
    afterAll(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
      await browser?.close();
      await Promise.all([a?.close(), b?.close()]);
      // The browser's keep-alive connections would hold close() open.
      proxy?.server.closeAllConnections();
      await new Promise((resolve) => proxy?.server.close(resolve));
      await Promise.all([tenant?.served.close(), redis?.stop(), idp?.close()]);
    });

    /** A 2026-07-28 client with URL elicitation only and ana's token on `cli`; each tools/call is one round, by hand. */
    const roundsOn = async (cli: SignedInCli) => {
      const token = await idp.token("ana", SCOPES, { resource: AUDIENCE });
      const client = new ModernClient(
        { name: "helpdesk-copilot", version: "2.0.0" },
        { capabilities: { elicitation: { url: {} } }, versionNegotiation: { mode: { pin: MODERN } } },
      );
      clients.push(client);
      await client.connect(
        new ModernTransport(new URL(cli.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
      );
      return (params: Record<string, unknown>) =>
        client.request(
          { method: "tools/call", params } as never,
          { allowInputRequired: true, timeout: 120_000 } as never,
        ) as Promise<RawRound>;
    };

    it("the page asked for on A is signed into through both and answered on B; the retry on B deletes once, the same round replayed on A does not", async () => {
      const [id] = deletable(tenant.sandbox.state, 1) as [string];
      const name = tenant.sandbox.state.identities.get(id)!.name;
      tenant.sandbox.clearRequests();
      const call = { name: "delete_identity", arguments: { identityId: id } };
      const first = await (await roundsOn(a))(call);
      expect(first.resultType, roundText(first)).toBe("input_required");
      const [key, ask] = Object.entries(first.inputRequests ?? {})[0]!;
      expect(ask.params?.mode).toBe("url");
      const url = ask.params!.url!;
      expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${proxy.port}/confirm/[\\w-]{24}$`));

      const tab = await visitAs(browser, idp, "ana", url);
      expect(await tab.locator("table").innerText()).toContain(name);
      await tab.fill("#name", name);
      await tab.click("button.go");
      await expect.poll(() => tab.locator("h1").textContent()).toBe("Confirmed");
      await tab.close();
      // A sealed the login (state, nonce, PKCE verifier) into its cookie; B redeemed the code with it and sealed the
      // signed-in cookie; A showed the preview to that cookie; B took the answer.
      const page = hops.filter((h) => h.path !== "/favicon.ico");
      expect(page.slice(0, 4)).toEqual([
        { replica: "A", method: "GET", path: "/confirm/<id>", status: 303, setsCookie: true },
        { replica: "B", method: "GET", path: "/signin/callback", status: 303, setsCookie: true },
        { replica: "A", method: "GET", path: "/confirm/<id>", status: 200, setsCookie: false },
        { replica: "B", method: "POST", path: "/confirm/<id>", status: 200, setsCookie: false },
      ]);
      expect(writeRequests(tenant.sandbox)).toEqual([]);

      const retry = { ...call, requestState: first.requestState, inputResponses: { [key]: { action: "accept" } } };
      const done = await (await roundsOn(b))(retry);
      expect(done.isError, roundText(done)).toBeFalsy();
      expect(roundText(done)).toBe(`Identity "${name}" (id ${id}) was deleted.`);
      const replay = await (await roundsOn(a))(retry);
      expect(replay.isError).toBe(true);
      expect(roundText(replay)).toMatch(/^delete_identity refused: nothing was changed/);
      expect(writeRequests(tenant.sandbox)).toEqual([{ method: "DELETE", path: `/v2025/identities/${id}`, body: "" }]);
      expect(b.audit().filter((l) => l.tool === "delete_identity")).toEqual([
        expect.objectContaining({
          outcome: "executed",
          confirmation: "url",
          actor: ANA,
          confirmedBy: ANA,
          era: MODERN,
        }),
      ]);
    }, 90_000);
  });
});

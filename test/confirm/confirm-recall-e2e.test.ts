// The model re-calling while the human decides: one page, at most one upstream write; expiry and strict mode leak nothing.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { expect, it } from "vitest";
import { describeWithBrowser } from "../support/browser.js";
import { auditLinesOf, eraTenantPerBlock, startEraCli, type EraCli } from "../support/cli-eras.js";
import { cliStarts } from "../support/cli-process.js";
import { browserScript, deletable, seenOf, textOf, type BrowserScript } from "../support/confirm-e2e.js";
import { writeRequests } from "../support/guard-helpers.js";
import { MODERN } from "../support/modern-cli.js";
import { answer, raw } from "../support/page-fixtures.js";
import { startPagedServer } from "../support/paged-server.js";

/**
 * A flow here starts the CLI once or twice and opens pages through the BROWSER command (each a process): bounded work,
 * which beside a second `npm test` took over 20 s.
 */
const RECALL_FLOW = cliStarts(3).timeout;

// These answer the page with plain form POSTs (as the page's own form sends them); the browser tests cover the page itself.
// Each era's client over the CLI's stdio: sdk 1.32 (2025) and the v2 client pinned to 2026-07-28.
for (const [era, version] of [
  ["2025", "2025-11-25"],
  ["2026", MODERN],
] as const)
  describeWithBrowser(`re-calls while the human decides, over stdio, ${era} client`, () => {
    const block = eraTenantPerBlock(40, 6);

    async function start(
      args: string[],
      env: Record<string, string> = {},
    ): Promise<{
      cli: EraCli;
      script: BrowserScript;
      call: (name: string, a: Record<string, unknown>, progress?: (p: unknown) => void) => Promise<CallToolResult>;
    }> {
      const script = browserScript();
      const cli = await startEraCli(era, args, { ...block.tenant.env, BROWSER: script.command, ...env });
      block.clis.push(cli);
      const call = (name: string, a: Record<string, unknown>, progress?: (p: unknown) => void) =>
        cli.call(name, a, progress);
      return { cli, script, call };
    }
    const { deletesOf } = block;

    it(
      "a bounded wait with progress, then the same page on every re-call, and one DELETE",
      async () => {
        const { cli, script, call } = await start(["--confirm-wait", "2"]);
        const id = block.ids[0]!;
        const progress: unknown[] = [];
        const first = await call("delete_identity", { identityId: id }, (p) => progress.push(p));
        expect(first.isError).toBeFalsy();
        expect((first.structuredContent as { status: string }).status).toBe("confirmation_pending");
        expect(textOf(first)).toMatch(/A confirmation is waiting for the user in their browser/);
        expect(textOf(first)).toMatch(/call delete_identity again with the same arguments/);
        expect(progress.length).toBeGreaterThan(0);
        const url = await script.nth(1);
        const pageId = url.split("/").at(-1)!;
        // Re-calls while the human has not answered: no second page.
        const [a, b] = await Promise.all([
          call("delete_identity", { identityId: id }),
          call("delete_identity", { identityId: id }),
        ]);
        for (const r of [a, b]) expect((r.structuredContent as { status: string }).status).toBe("confirmation_pending");
        expect(script.urls()).toHaveLength(1);
        // The human confirms; two re-calls race for the answer: one deletes, the other is refused.
        expect(
          (await answer(url, { answer: "confirm", name: block.tenant.sandbox.state.identities.get(id)!.name })).status,
        ).toBe(200);
        const [c, d] = await Promise.all([
          call("delete_identity", { identityId: id }),
          call("delete_identity", { identityId: id }),
        ]);
        const done = [c, d].filter((r) => !r.isError);
        expect(done).toHaveLength(1);
        expect(textOf(done[0]!)).toContain("was deleted");
        expect(deletesOf(id)).toHaveLength(1);
        expect(script.urls()).toHaveLength(1);
        await expect
          .poll(() =>
            auditLinesOf(cli.stderr()).filter((l) => l.tool === "delete_identity" && l.outcome === "executed"),
          )
          .toEqual([expect.objectContaining({ era: version, confirmation: "browser", targetIds: [id] })]);
        for (const r of [first, a, b, c, d]) {
          expect(seenOf(r)).not.toContain(pageId);
          expect(seenOf(r)).not.toContain("/confirm/");
        }
        expect(cli.stderr()).not.toContain(pageId);
      },
      RECALL_FLOW,
    );

    it(
      "a re-call with other arguments is another confirmation; a cancelled one is refused, then a new page opens",
      async () => {
        const { script, call } = await start(["--confirm-wait", "1"]);
        const [x, y] = [block.ids[1]!, block.ids[2]!];
        await call("delete_identity", { identityId: x });
        await call("delete_identity", { identityId: y });
        await script.nth(2);
        expect((await answer(script.urls()[0]!, { answer: "cancel" })).status).toBe(200);
        const refused = await call("delete_identity", { identityId: x });
        expect(refused.isError).toBe(true);
        expect(textOf(refused)).toMatch(/the user cancelled on the confirmation page/);
        const again = await call("delete_identity", { identityId: x });
        expect((again.structuredContent as { status: string }).status).toBe("confirmation_pending");
        await script.nth(3);
        expect(deletesOf(x)).toHaveLength(0);
      },
      RECALL_FLOW,
    );

    it(
      "strict mode: no tool result, log line or error holds a code or the page's URL",
      async () => {
        const { cli, script, call } = await start(["--confirm", "strict", "--confirm-wait", "1"]);
        const id = block.ids[4]!;
        const results = [
          await call("delete_identity", { identityId: id }),
          await call("delete_identity", { identityId: id, confirmationCode: "x.y.z.w" }),
        ];
        const url = await script.nth(1);
        expect(
          (await answer(url, { answer: "confirm", name: block.tenant.sandbox.state.identities.get(id)!.name })).status,
        ).toBe(200);
        results.push(await call("delete_identity", { identityId: id }));
        results.push(await call("start_identities_invite", { uninvited: true }));
        // A browser that cannot start: here --confirm auto would fall through to a code; strict refuses and hands none out.
        const unopened = await start(["--confirm", "strict"], { BROWSER: "false" });
        const refused = await unopened.call("delete_identity", { identityId: block.ids[3]! });
        expect(refused.isError).toBe(true);
        expect(deletesOf(block.ids[3]!)).toHaveLength(0);
        expect(unopened.cli.stderr()).not.toMatch(/confirmationCode/);
        results.push(refused);
        for (const r of results) {
          const seen = seenOf(r);
          expect(seen).not.toContain("/confirm/");
          expect(seen).not.toContain(url.split("/").at(-1));
          expect(seen).not.toMatch(/confirmationCode"?\s*[:=]\s*"[^"]+"|confirmationCode "/);
        }
        expect(textOf(results[2]!)).toContain("was deleted");
        expect(cli.stderr()).not.toContain(url.split("/").at(-1));
        expect(cli.stderr()).not.toMatch(/confirmationCode/);
      },
      RECALL_FLOW,
    );

    it(
      "strict mode with no human channel: tools that always confirm are not listed, and a call says what would work",
      async () => {
        const { cli } = await start(["--confirm", "strict"], { BROWSER: "" });
        const { tools } = await cli.client.listTools();
        const names = tools.map((t) => t.name);
        expect(names).not.toContain("delete_identity");
        expect(names).not.toContain("reset_identity");
        expect(names).not.toContain("send_identity_verification_account_token");
        expect(names).toContain("start_identities_invite");
        const res = (await cli.client.callTool({
          name: "delete_identity",
          arguments: { identityId: block.ids[5]! },
        })) as CallToolResult;
        expect(res.isError).toBe(true);
        expect(textOf(res)).toMatch(/form elicitation|URL elicitation/);
        expect(seenOf(res)).not.toMatch(/confirmationCode "/);
        expect(deletesOf(block.ids[5]!)).toHaveLength(0);
      },
      RECALL_FLOW,
    );
  });

// --confirm-ttl is at least 60 s: expiry runs in process, through a real MCP client, with a clock the test moves.
// 2025 client only: an in-process harness (paged-server.ts) that drives the page's expiry with its own clock.
describeWithBrowser("an expired confirmation page", () => {
  it("says so on the page, the re-call refuses once, and nothing is deleted", async () => {
    let skew = 0;
    const now = () => Date.now() + skew;
    const { sandbox, backend, client, script, close } = await startPagedServer(["--confirm-wait", "1"], {
      clientName: "expiry",
      now,
    });
    try {
      const id = deletable(sandbox.state, 1)[0]!;
      const call = () =>
        client.callTool({ name: "delete_identity", arguments: { identityId: id } }) as Promise<CallToolResult>;
      expect(((await call()).structuredContent as { status: string }).status).toBe("confirmation_pending");
      const url = await script.nth(1);
      skew += backend.config.confirmTtlSeconds * 1000 + 1000;
      const page = await raw(url);
      expect(page.status).toBe(410);
      expect(page.body).toContain("This confirmation expired");
      expect((await answer(url, { answer: "confirm", name: sandbox.state.identities.get(id)!.name })).status).toBe(410);
      const late = await call();
      expect(late.isError).toBe(true);
      expect(textOf(late)).toMatch(/expired before the user answered/);
      expect(writeRequests(sandbox)).toEqual([]);
      // The next call is a new confirmation, with a new page.
      expect(((await call()).structuredContent as { status: string }).status).toBe("confirmation_pending");
      expect(await script.nth(2)).not.toBe(url);
    } finally {
      await close();
    }
  });
});

// The page of a mass action names the first identities it touches, as the tool's plan says which (ids, or an ISC filter).
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { writeRequests } from "../support/guard-helpers.js";
import { raw } from "../support/page-fixtures.js";
import { startPagedServer } from "../support/paged-server.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A stdio-like server whose pages open through a BROWSER script (strict mode: only a person confirms). */
async function start(argv: string[]): Promise<{
  sandbox: Sandbox;
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  page(): Promise<string>;
}> {
  const { sandbox, client, script, close } = await startPagedServer(
    ["--confirm", "strict", "--confirm-wait", "1", ...argv],
    { clientName: "sample" },
  );
  closers.push(close);
  return {
    sandbox,
    call: (name, args) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>,
    page: async () => (await raw(await script.nth(1))).body,
  };
}

/** The names listed on the page, in order. */
const namesOn = (html: string): string[] =>
  [...(/<ul class="names">(.*?)<\/ul>/.exec(html)?.[1] ?? "").matchAll(/<li>(.*?)<\/li>/g)]
    .map((m) => m[1]!)
    .filter((n) => !n.startsWith("…"));

describe("the sample of names on a mass action's page", () => {
  it("invite every unregistered identity: the page names the first unregistered ones, by name", async () => {
    const s = await start([]);
    const res = await s.call("start_identities_invite", { uninvited: true });
    expect((res.structuredContent as { status: string }).status).toBe("confirmation_pending");
    const unregistered = [...s.sandbox.state.identities.values()]
      .filter((i) => i.attributes["cloudStatus"] === "UNREGISTERED")
      .map((i) => i.name)
      .sort();
    expect(unregistered.length).toBeGreaterThan(0);
    const html = await s.page();
    expect(html).toContain("Send registration invitations");
    expect(namesOn(html)).toEqual(unregistered.slice(0, 10));
    expect(writeRequests(s.sandbox)).toEqual([]);
  });

  it("processing past the threshold: the page names the identities of this call's ids", async () => {
    const s = await start(["--confirm-threshold", "2"]);
    const ids = [...s.sandbox.state.identities.keys()].slice(0, 3);
    const res = await s.call("start_identity_processing", { identityIds: ids });
    expect((res.structuredContent as { status: string }).status).toBe("confirmation_pending");
    const html = await s.page();
    expect(html).toContain("Start identity processing");
    expect(namesOn(html)).toEqual(ids.map((id) => s.sandbox.state.identities.get(id)!.name).sort());
    expect(writeRequests(s.sandbox)).toEqual([]);
  });
});

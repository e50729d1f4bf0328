// list_identities paging: maxItems over several ISC pages, progress notifications, truncation, views and cancellation.
import { afterEach, describe, expect, it } from "vitest";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import { pickFixtures } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { until } from "../support/until.js";

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const listRequests = (hh: Harness) => hh.sandbox.requests.filter((r) => r.path === "/v2025/identities");
type Page = {
  items: Array<{ id: string }>;
  total?: number;
  nextOffset?: number;
  truncated?: boolean;
  limit: number;
  offset: number;
};

describe("list_identities paging", () => {
  it("reads up to maxItems with one ISC request per 250, reporting progress", async () => {
    h = await startHarness({ sandbox: { identities: 1_200 } });
    const progress: Progress[] = [];
    const res = (await h.client.callTool(
      { name: "list_identities", arguments: { maxItems: 600, count: true, defaultFilter: "NONE" } },
      undefined,
      {
        onprogress: (p) => progress.push(p),
      },
    )) as CallToolResult;
    const page = res.structuredContent as Page;
    expect(page.items).toHaveLength(600);
    expect(new Set(page.items.map((i) => i.id)).size).toBe(600);
    expect(page.total).toBe(1_200);
    expect(page.nextOffset).toBe(600);
    expect(page.truncated).toBe(true);
    expect(textOf(res)).toMatch(/call again with offset 600/);
    const limits = listRequests(h).map((r) => new URLSearchParams(r.query));
    expect(limits.map((q) => [q.get("limit"), q.get("offset")])).toEqual([
      ["250", "0"],
      ["250", "250"],
      ["100", "500"],
    ]);
    // The total is asked for once, not on every page.
    expect(limits.map((q) => q.get("count"))).toEqual(["true", null, null]);
    expect(progress.map((p) => p.progress)).toEqual([250, 500, 600]);
    expect(progress.every((p) => p.total === 600)).toBe(true);
  });

  it("stops at the end of the data without claiming more", async () => {
    h = await startHarness({ sandbox: { identities: 300 } });
    const res = await h.call("list_identities", { maxItems: 2_000, defaultFilter: "NONE" });
    const page = res.structuredContent as Page;
    expect(page.items).toHaveLength(300);
    expect(page.nextOffset).toBeUndefined();
    expect(page.truncated).toBeUndefined();
    expect(listRequests(h)).toHaveLength(2);
  });

  it("continues from an offset with a second call, without overlap", async () => {
    h = await startHarness({ sandbox: { identities: 700 } });
    const first = (await h.call("list_identities", { maxItems: 400, defaultFilter: "NONE", sorters: "name" }))
      .structuredContent as Page;
    const second = (
      await h.call("list_identities", {
        maxItems: 400,
        offset: first.nextOffset,
        defaultFilter: "NONE",
        sorters: "name",
      })
    ).structuredContent as Page;
    expect(second.items).toHaveLength(300);
    const ids = new Set([...first.items, ...second.items].map((i) => i.id));
    expect(ids.size).toBe(700);
  });

  it("refuses limit 0 (it would page in place forever) and says how to get just the total", async () => {
    h = await startHarness();
    const res = await h.call("list_identities", { limit: 0, count: true, defaultFilter: "NONE" });
    expect(res.isError).toBe(true);
    expect(res.structuredContent).toBeUndefined();
    expect(textOf(res)).toBe(
      'Invalid arguments for tool "list_identities":\n✖ must be at least 1 (for just the total, use limit 1 with count true)\n  → at limit\nNext step: fix limit and call again; nothing was sent to ISC.',
    );
    expect(listRequests(h)).toEqual([]);
    const one = (await h.call("list_identities", { limit: 1, count: true, defaultFilter: "NONE" }))
      .structuredContent as Page;
    expect([one.items.length, one.total, one.nextOffset]).toEqual([1, 500, 1]);
  });

  it("never points back at the offset just read: an empty page past the end has no next page", async () => {
    h = await startHarness({ sandbox: { identities: 30 } });
    const res = await h.call("list_identities", { offset: 30, limit: 10, count: true, defaultFilter: "NONE" });
    const page = res.structuredContent as Page;
    expect([page.items.length, page.total, page.nextOffset]).toEqual([0, 30, undefined]);
    expect(textOf(res)).toBe("0 identities of 30 from offset 30.");
  });

  it("stops asking ISC for pages once the MCP client cancels the call", async () => {
    h = await startHarness({ sandbox: { identities: 2_000 } });
    // The first page arrives and then two more; the third is held, so the cancel lands while the listing is under way.
    h.sandbox.inject({ path: "/v2025/identities", delayMs: 1, count: 2 });
    h.sandbox.inject({ path: "/v2025/identities", hold: new Promise(() => {}), count: 100 });
    const controller = new AbortController();
    const call = h.client.callTool(
      { name: "list_identities", arguments: { maxItems: 2_000, defaultFilter: "NONE" } },
      undefined,
      { signal: controller.signal },
    );
    await until(() => listRequests(h).length === 3, "the third page was asked for");
    controller.abort();
    await expect(call).rejects.toThrow();
    // Another call's round trip: a listing that went on after the cancel would have asked for its next page by now.
    expect((await h.call("get_identity", { identityId: pickFixtures(h.sandbox.state).plain })).isError).toBeFalsy();
    expect(listRequests(h).length).toBe(3);
  });
});

describe("identity views", () => {
  it("summary rows are a fraction of the raw identities, fields project exactly", async () => {
    h = await startHarness();
    const summary = (await h.call("list_identities", { limit: 5 })).structuredContent as {
      items: Array<Record<string, unknown>>;
    };
    for (const row of summary.items) {
      expect(
        Object.keys(row).every((k) =>
          [
            "id",
            "name",
            "alias",
            "email",
            "status",
            "lifecycleState",
            "processingState",
            "manager",
            "protected",
          ].includes(k),
        ),
      ).toBe(true);
    }
    const projected = (await h.call("list_identities", { limit: 5, fields: ["name", "isManager"] }))
      .structuredContent as { items: Array<Record<string, unknown>> };
    for (const row of projected.items) expect(Object.keys(row).sort()).toEqual(["id", "isManager", "name"]);
    const full = (await h.call("list_identities", { limit: 5, view: "full" })).structuredContent as {
      items: Array<Record<string, unknown>>;
    };
    for (const row of full.items)
      expect(row).toEqual(JSON.parse(JSON.stringify(h.sandbox.state.identities.get(row.id as string))));
  });
});

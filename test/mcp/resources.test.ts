// The isc://identities/{identityId} resource template through a real MCP client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pickFixtures } from "../../src/sandbox/index.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("identity resource", () => {
  it("is listed as a template", async () => {
    const { resourceTemplates } = await h.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(["isc://identities/{identityId}"]);
    expect(resourceTemplates[0]!.mimeType).toBe("application/json");
  });

  it("reads an identity's summary as JSON", async () => {
    const { plain } = pickFixtures(h.sandbox.state);
    const raw = h.sandbox.state.identities.get(plain)!;
    const res = await h.client.readResource({ uri: `isc://identities/${plain}` });
    const content = res.contents[0]!;
    expect(content.mimeType).toBe("application/json");
    const summary = JSON.parse((content as { text: string }).text) as Record<string, unknown>;
    expect(summary).toMatchObject({
      id: plain,
      name: raw.name,
      alias: raw.alias,
      email: raw.emailAddress,
      status: raw.identityStatus,
    });
  });

  it("refuses unknown ids and malformed URIs without reaching another path", async () => {
    h.sandbox.clearRequests();
    await expect(h.client.readResource({ uri: "isc://identities/../../oauth/token" })).rejects.toThrow(
      /Unknown resource/,
    );
    await expect(h.client.readResource({ uri: "isc://roles/abc" })).rejects.toThrow(/Unknown resource/);
    expect(h.sandbox.requests).toHaveLength(0);
    await expect(h.client.readResource({ uri: "isc://identities/0123456789abcdef0123456789abcdef" })).rejects.toThrow(
      /No identity 0123456789abcdef0123456789abcdef/,
    );
  });
});

describe("the template follows the inventory", () => {
  it("with get_identity not offered (--exclude-tools), the template is neither listed, read nor completed, and ISC is not asked", async () => {
    const x = await startHarness({ argv: ["--exclude-tools", "get_identity"], config: { confirm: "strict" } });
    try {
      const { plain } = pickFixtures(x.sandbox.state);
      x.sandbox.clearRequests();
      expect((await x.client.listResourceTemplates()).resourceTemplates).toEqual([]);
      await expect(x.client.readResource({ uri: `isc://identities/${plain}` })).rejects.toThrow(
        /-32602.*Unknown resource/,
      );
      await expect(
        x.client.complete({
          ref: { type: "ref/resource", uri: "isc://identities/{identityId}" },
          argument: { name: "identityId", value: "a" },
        }),
      ).rejects.toThrow(/-32602.*Unknown resource template/);
      expect(x.sandbox.requests).toEqual([]);
    } finally {
      await x.close();
    }
  });
});

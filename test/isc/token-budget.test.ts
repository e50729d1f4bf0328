// Context budgets, counted with a real tokenizer (o200k): token counts do not depend on machine speed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measureTokens, type TokenReport } from "../../scripts/measure-tokens.js";
import { startHarness, type Harness } from "../support/harness.js";

let h: Harness;
let report: TokenReport;
beforeAll(async () => {
  h = await startHarness();
  report = await measureTokens(h.client);
});
afterAll(() => h.close());

describe("token budgets", () => {
  it("the whole tools/list, output schemas included, is at most 3,000 tokens", async () => {
    expect((await h.client.listTools()).tools.length).toBe(Object.keys(report.perTool).length);
    expect(report.toolsList).toBeLessThanOrEqual(3_000);
  });

  it("list_identities' default view of 50 identities is at most 25% of the raw ISC JSON (structured and text copies alike)", () => {
    expect(report.list50.raw).toBeGreaterThan(5_000);
    expect(report.list50.structuredRatio).toBeLessThanOrEqual(0.25);
    expect(report.list50.textRatio).toBeLessThanOrEqual(0.25);
  });

  it("the server's instructions are at most 150 tokens", () => {
    expect(report.instructions).toBeGreaterThan(20);
    expect(report.instructions).toBeLessThanOrEqual(150);
  });
});

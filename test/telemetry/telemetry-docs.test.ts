// docs/operations.md's table of metrics is the catalogue the server exports from (src/core/telemetry.ts): every metric, its type, unit and labels.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { METRICS } from "../../src/core/telemetry.js";

const doc = readFileSync(new URL("../../docs/operations.md", import.meta.url), "utf8");

/** The rows of the "## Metrics" table: metric, type, unit, labels. */
function documented(): Array<{ name: string; kind: string; unit: string; labels: string[] }> {
  const section = doc.split(/^## Metrics$/m)[1]?.split(/^## /m)[0] ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const [name, kind, unit, labels] = line
        .split("|")
        .slice(1, 5)
        .map((c) => c.trim());
      return {
        name: name!.replaceAll("`", ""),
        kind: kind!,
        unit: unit!,
        labels: [...labels!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!),
      };
    });
}

describe("docs/operations.md", () => {
  it("tables every exported metric with its type, unit and labels, and no other", () => {
    const kinds: Record<string, string> = { histogram: "histogram", counter: "counter", gauge: "gauge" };
    expect(documented()).toEqual(
      Object.values(METRICS).map((m) => ({ name: m.name, kind: kinds[m.kind], unit: m.unit, labels: [...m.labels] })),
    );
  });
});

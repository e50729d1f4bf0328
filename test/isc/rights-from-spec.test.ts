// Each tool's rights, which its 403 message names, against ISC's spec: every scope and user level the operation accepts.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOOLS } from "../../tools/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";

interface Operation {
  operationId: string;
  security?: Array<Record<string, string[]>>;
  "x-sailpoint-userLevels"?: string[];
}

// The spec files ship in the repository (spec/README.md); a tool's name is its v2025 operationId in snake case.
const operations = ["isc-identities-v2025.json", "isc-task-status-v2025.json"].flatMap((file) => {
  const spec = JSON.parse(readFileSync(new URL(`../../spec/${file}`, import.meta.url), "utf8")) as {
    paths: Record<string, Record<string, Operation>>;
  };
  return Object.values(spec.paths).flatMap((ops) => Object.values(ops).filter((op) => op.operationId));
});
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe("tool rights", () => {
  it("name every scope a user's token may carry and every user level the spec requires, for every tool", () => {
    for (const tool of TOOLS) {
      const op = operations.find((o) => o.operationId === camel(tool.name));
      expect(op, `${tool.name}: no operation ${camel(tool.name)} in spec/`).toBeDefined();
      const scopes = op!.security?.find((s) => s.userAuth)?.userAuth ?? [];
      for (const needed of [...scopes, ...(op!["x-sailpoint-userLevels"] ?? [])])
        expect(tool.rights, `${tool.name} should name ${needed}`).toMatch(new RegExp(`(^|[ (,])${needed}\\b`));
    }
  });
});

describe("a 403 from ISC", () => {
  let h: Harness;
  beforeAll(async () => {
    // Two identities stay under every mass threshold: start_identity_processing acts without a confirmation.
    h = await startHarness({ argv: ["--confirm", "strict"], sandbox: { identities: 10 } });
  });
  afterAll(() => h.close());

  it("names start_identity_processing's user levels, which the spec requires", async () => {
    const ids = [...h.sandbox.state.identities.keys()].slice(0, 2);
    h.sandbox.inject({ method: "POST", path: /\/identities\/process$/, status: 403 });
    const res = await h.call("start_identity_processing", { identityIds: ids });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain(
      "it needs idn:identity:process or idn:identity:manage (ORG_ADMIN or HELPDESK). Ask an ISC admin to grant the token those scopes",
    );
  });
});

// Every tool on every API version through a real MCP client: path shapes, the experimental header where the spec says, X-Deprecated once.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { API_VERSIONS } from "../../src/config/options.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { apiRequests, validCalls } from "../support/tool-calls.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type Spec = { paths: Record<string, Record<string, { parameters?: Array<{ name?: string; in?: string }> }>> };
const v1Spec = JSON.parse(readFileSync(new URL("../../spec/isc-identities-v1.json", import.meta.url), "utf8")) as Spec;
/** (method, path pattern) of every v1 operation whose spec declares the X-SailPoint-Experimental header. */
const experimentalInV1 = Object.entries(v1Spec.paths).flatMap(([template, ops]) =>
  Object.entries(ops)
    .filter(([, op]) => op.parameters?.some((p) => p.in === "header" && p.name === "X-SailPoint-Experimental"))
    .map(([method]) => ({
      method: method.toUpperCase(),
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
    })),
);

/** Calls a tool; a confirmation_required result is answered with its code (auto mode, no human channel). */
async function callThrough(name: string, args: Record<string, unknown>) {
  const first = await h!.call(name, args);
  const s = first.structuredContent as { status?: string; confirmationCode?: string } | undefined;
  if (s?.status !== "confirmation_required") return first;
  return h!.call(name, { ...args, confirmationCode: s.confirmationCode });
}

describe("every tool on every API version", () => {
  it("the v1 spec marks exactly process, sync, invite and send experimental", () => {
    expect(experimentalInV1.map((e) => `${e.method} ${e.pattern.source.replace(/\\\//g, "/")}`).sort()).toEqual([
      "POST ^/identities/v1/[^/]+/synchronize-attributes$",
      "POST ^/identities/v1/[^/]+/verification/account/send$",
      "POST ^/identities/v1/invite$",
      "POST ^/identities/v1/process$",
    ]);
  });

  for (const version of API_VERSIONS) {
    it(`${version}: all 12 tools work, in this version's path shape, with the experimental header where it belongs`, async () => {
      h = await startHarness({ argv: ["--confirm", "auto", "--api-version", version], sandbox: { identities: 60 } });
      const calls = validCalls(h.sandbox);
      expect(calls.size).toBe(12);
      for (const [name, args] of calls) {
        const res = await callThrough(name, args);
        expect(res.isError, `${name}: ${textOf(res)}`).toBeFalsy();
      }
      const sent = apiRequests(h.sandbox);
      expect(sent.length).toBeGreaterThanOrEqual(calls.size);
      for (const r of sent) {
        if (version === "v1") expect(r.path).toMatch(/^\/(identities|task-status)\/v1(\/|$)/);
        else expect(r.path.startsWith(`/${version}/`), r.path).toBe(true);
        const wanted =
          version !== "v1" || experimentalInV1.some((e) => e.method === r.method && e.pattern.test(r.path));
        expect(r.headers["x-sailpoint-experimental"], `${r.method} ${r.path}`).toBe(wanted ? "true" : undefined);
        expect(r.status, `${r.method} ${r.path}`).toBeLessThan(300);
      }
      // Each of the four experimental operations was called once, so the header was really sent on v1 too.
      expect(sent.filter((r) => r.headers["x-sailpoint-experimental"] === "true").length).toBeGreaterThanOrEqual(4);
    });
  }

  it("an X-Deprecated answer is reported once per path on stderr, never per call", async () => {
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
    h = await startHarness({
      argv: ["--api-version", "v2024"],
      sandbox: { identities: 30, deprecated: /^\/v2024\/identities/ },
      log,
    });
    const ids = [...h.sandbox.state.identities.keys()];
    for (const identityId of ids.slice(0, 3))
      expect((await h.call("get_identity", { identityId })).isError).toBeFalsy();
    await h.call("list_identities", { limit: 2 });
    await h.call("list_identities", { limit: 3 });
    await h.call("get_identity", { identityId: "ffffffffffffffffffffffffffffffff" }); // a 404 carries the header too
    expect(warnings).toEqual([
      expect.stringMatching(
        /^ISC marks GET \/v2024\/identities\/\{id\} as deprecated \(X-Deprecated: true\); .*--api-version v1/,
      ),
      expect.stringMatching(/^ISC marks GET \/v2024\/identities as deprecated/),
    ]);
    // A path the tenant does not flag is never reported.
    const seeded = [...h.sandbox.state.tasks.values()].at(-1)!;
    await h.call("get_task_status", { taskId: seeded.id });
    expect(warnings).toHaveLength(2);
  });
});

// SIGTERM or the end of stdin while calls are in flight: they finish and are answered, the audit line is written, exit 0 promptly.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { pickFixtures } from "../../src/sandbox/index.js";
import { textOf } from "../support/harness.js";
import { initialize, serveTenant, spawnCli, type RawCli, type ServedTenant } from "../support/cli-process.js";
import { MODERN } from "../support/modern-cli.js";
import { until } from "../support/until.js";

let tenant: ServedTenant | undefined;
afterEach(async () => {
  await tenant?.served.close();
  tenant = undefined;
});

/** The 2026 envelope each request carries (this era has no initialize). */
const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientInfo": { name: "raw-2026", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

/** The newest 2025-era protocol version the server speaks (what sdk 1.x's client asks for). */
const LATEST_2025 = "2025-11-25";

/**
 * Each era's opening on the raw stdio, what its answer says the version is, and the `_meta` its calls carry: 2025
 * initializes a session at 2025-11-25; 2026 probes with server/discover, then every call carries the envelope. Raw
 * lines, not the SDK clients: the test signals the process mid-call and reads the answers written before it exited.
 */
const RAW_ERAS = [
  {
    label: "2025 client",
    era: LATEST_2025,
    open: (cli: RawCli) => initialize(cli, LATEST_2025),
    opened: { protocolVersion: LATEST_2025 },
    meta: {},
  },
  {
    label: "2026 client",
    era: MODERN,
    open: (cli: RawCli) => cli.send({ jsonrpc: "2.0", id: 0, method: "server/discover", params: { _meta: ENVELOPE } }),
    opened: { supportedVersions: expect.arrayContaining([MODERN]) as unknown },
    meta: { _meta: ENVELOPE },
  },
];

describe.each([
  ["SIGTERM", (cli: RawCli) => cli.child.kill("SIGTERM")],
  ["stdin closing", (cli: RawCli) => cli.child.stdin!.end()],
] as const)("shutdown on %s", (_label, stop) => {
  it.each(RAW_ERAS)(
    "$label: lets an in-flight write and read finish, answers them, writes the audit line, then exits 0",
    async ({ era, open, opened, meta }) => {
      tenant = await serveTenant();
      const { plain, owner } = pickFixtures(tenant.sandbox.state);
      const audit = join(mkdtempSync(join(tmpdir(), "isc-shutdown-")), "audit.jsonl");
      const cli = spawnCli(["--audit-log", audit, "--log-level", "info"], tenant.env);
      open(cli);
      const opening = await cli.response(0);
      expect(opening.error).toBeUndefined();
      expect(opening.result).toMatchObject(opened);
      // Both calls are held by ISC for 1.5 s, so the signal lands while they are in flight.
      tenant.sandbox.inject({ path: /^\/v2025\//, delayMs: 1_500, count: 2 });
      cli.send({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "synchronize_attributes_for_identity", arguments: { identityId: plain }, ...meta },
      });
      cli.send({
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "get_identity", arguments: { identityId: owner }, ...meta },
      });
      await until(
        () => tenant!.sandbox.requests.filter((r) => r.path.startsWith("/v2025/")).length === 2,
        "both calls to reach ISC",
      );
      stop(cli);
      const exit = await cli.exited;
      // It waited for both (answered below, not cancelled) and exited by itself, within the test's time.
      expect(exit.code).toBe(0);
      const write = (await cli.response(1)).result as CallToolResult;
      expect(write.isError).toBeFalsy();
      expect(write.structuredContent).toMatchObject({ status: "executed", jobStatus: "QUEUED" });
      const read = (await cli.response(2)).result as CallToolResult;
      expect((read.structuredContent as { identity: { id: string } }).identity.id).toBe(owner);
      expect(tenant.sandbox.state.syncs.map((s) => s.identityId)).toEqual([plain]);
      const lines = readFileSync(audit, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      // The audit line names the protocol version the call came in on.
      expect(lines).toEqual([
        expect.objectContaining({
          era,
          tool: "synchronize_attributes_for_identity",
          outcome: "executed",
          targetIds: [plain],
        }),
      ]);
      expect(cli.stderr()).toMatch(/shutting down/);
    },
  );
});

// 2025 only: the grace is the process's, not an era's, and get_identity is a read the guard does not hold.
describe("shutdown bounds", () => {
  it("a call still running after the 5 s grace is cancelled, answered as such, and the process exits 0", async () => {
    tenant = await serveTenant();
    const { plain } = pickFixtures(tenant.sandbox.state);
    const cli = spawnCli(["--log-level", "info"], tenant.env);
    initialize(cli);
    await cli.response(0);
    tenant.sandbox.inject({ path: /^\/v2025\//, delayMs: 60_000 });
    cli.send({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "get_identity", arguments: { identityId: plain } },
    });
    await until(() => tenant!.sandbox.requests.some((r) => r.path.startsWith("/v2025/")), "the call to reach ISC");
    cli.child.kill("SIGTERM");
    const exit = await cli.exited;
    // The grace passed (its log line says so), then the call was cancelled: ISC's answer would have taken a minute.
    expect(exit.code).toBe(0);
    const answer = (await cli.response(1)).result as CallToolResult;
    expect(answer.isError).toBe(true);
    expect(textOf(answer)).toMatch(
      /^get_identity failed\. The call was cancelled during GET \/v2025\/identities\/[0-9a-f]{32}\./,
    );
    expect(cli.stderr()).toMatch(/cancelled 1 call\(s\) still running after 5 s/);
  }, 20_000);
});

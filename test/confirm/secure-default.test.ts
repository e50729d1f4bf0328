// Default settings, a client that can show no screen, no browser: the five writes that once went through on a code do nothing.
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditLinesOf, callResult, CLI_ERAS, type EraClient } from "../support/cli-eras.js";
import { serveTenant, spawnCli, waitForMcpUrl, type RawCli, type ServedTenant } from "../support/cli-process.js";
import { deletable, seenOf, textOf } from "../support/confirm-e2e.js";
import { writeRequests } from "../support/guard-helpers.js";
import { stopProcess } from "../support/replica.js";

const ALWAYS_CONFIRMED = ["delete_identity", "reset_identity", "send_identity_verification_account_token"];
const WRITES = [...ALWAYS_CONFIRMED, "start_identity_processing", "start_identities_invite"];

let tenant: ServedTenant;
/** The tenant's variables without anything that would give the server a browser to open. */
let env: Record<string, string>;
const closers: Array<() => Promise<unknown>> = [];
beforeAll(async () => {
  tenant = await serveTenant({ identities: 60 });
  env = Object.fromEntries(
    Object.entries(tenant.env).filter(([k]) => !["BROWSER", "DISPLAY", "WAYLAND_DISPLAY"].includes(k)),
  );
}, 30_000);
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close().catch(() => {})));
});
afterAll(async () => tenant?.served.close());

/** Every write a model could once confirm alone, each called as a model would, then once more with a made-up code. */
async function tryEveryWrite(client: EraClient): Promise<CallToolResult[]> {
  const [a, b, c] = deletable(tenant.sandbox.state, 3);
  const eleven = [...tenant.sandbox.state.identities.keys()].slice(0, 11);
  const calls: Array<[string, Record<string, unknown>]> = [
    ["delete_identity", { identityId: a! }],
    ["reset_identity", { identityId: b! }],
    ["send_identity_verification_account_token", { identityId: c!, via: "EMAIL_WORK" }],
    ["start_identity_processing", { identityIds: eleven }],
    ["start_identities_invite", { uninvited: true }],
  ];
  const results: CallToolResult[] = [];
  for (const [name, args] of calls) {
    results.push(callResult(await client.callTool({ name, arguments: args })));
    results.push(
      callResult(
        await client.callTool({
          name,
          arguments: { ...args, confirmationCode: "lqz1.AAAAAAAAAAAA.AAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA" },
        }),
      ),
    );
  }
  return results;
}

/** `stderr`: the CLI's, whose audit lines must each name `era` and refuse (one per call at least for each write tool). */
async function expectNothingDone(results: CallToolResult[], stderr: () => string, era: string): Promise<void> {
  for (const r of results) {
    expect(r.isError).toBe(true);
    expect(seenOf(r)).not.toMatch(/confirmationCode"?\s*[:=]\s*"[^"]+"|confirmation_required/);
  }
  expect(textOf(results[0]!)).toMatch(/--confirm strict/);
  expect(writeRequests(tenant.sandbox)).toEqual([]);
  const lines = () => auditLinesOf(stderr()).filter((l) => WRITES.includes(l.tool));
  // The CLI writes each audit line just after answering: the last one may still be on its way.
  await expect.poll(() => new Set(lines().map((l) => l.tool))).toEqual(new Set(WRITES));
  for (const l of lines()) expect(l).toMatchObject({ era, outcome: "refused" });
}

describe.each(CLI_ERAS)("secure by default, $label", ({ era, stdio, http }) => {
  it("stdio: a client without elicitation is not shown delete, reset or the reset email, and no write goes through, with or without a code", async () => {
    tenant.sandbox.clearRequests();
    const cli = await stdio([], env);
    closers.push(() => cli.client.close());
    const names = (await cli.client.listTools()).tools.map((t) => t.name);
    for (const name of ALWAYS_CONFIRMED) expect(names).not.toContain(name);
    expect(names).toContain("start_identities_invite");
    await expectNothingDone(await tryEveryWrite(cli.client), cli.stderr, era);
    expect(cli.stderr()).toContain("confirm: strict — only a human confirms");
  });

  it("HTTP: the same, for a client that declares no elicitation (a 2025 session, the 2026 leg per request)", async () => {
    tenant.sandbox.clearRequests();
    const cli: RawCli = spawnCli(["--http", "--port", "0"], env);
    closers.push(() => stopProcess(cli));
    const url = await waitForMcpUrl(cli);
    const client = await http(url);
    closers.push(() => client.close());
    const names = (await client.listTools()).tools.map((t) => t.name);
    for (const name of ALWAYS_CONFIRMED) expect(names).not.toContain(name);
    await expectNothingDone(await tryEveryWrite(client), cli.stderr, era);
  });
});

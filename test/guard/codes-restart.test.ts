// Without a shared store a code works only in the process that issued it (in either era): not after a restart, not in a second process, whatever the key.
import { spawnSync } from "node:child_process";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLinesOf, CLI_ERAS, type EraCli } from "../support/cli-eras.js";
import { CLI, cliStarts, serveTenant, type ServedTenant } from "../support/cli-process.js";
import { deletable, textOf } from "../support/confirm-e2e.js";
import { REPLICA_ERAS, startReplica, type Replica } from "../support/replica.js";

const KEY = "restart-test-confirm-key-0123456789abcdef";
const UNTRACKED =
  "the confirmation code was issued before this server (re)started or by another server process (or, with Redis, before Redis last restarted or was out of reach), so whether it was already used cannot be known.";

let tenant: ServedTenant;
let ids: string[];
beforeAll(async () => {
  tenant = await serveTenant({ identities: 60 });
  // Two for each era's stdio restarts, one for each era at the two replicas.
  ids = deletable(tenant.sandbox.state, 3 * CLI_ERAS.length);
});
afterAll(() => tenant?.served.close());

/** A headless machine: no browser to open a page in, so --confirm auto falls back to a code. */
function headless(extra: Record<string, string> = {}): Record<string, string> {
  const { BROWSER: _b, DISPLAY: _d, WAYLAND_DISPLAY: _w, ...env } = tenant.env;
  return { ...env, ...extra };
}
const deletes = (id: string) =>
  tenant.sandbox.requests.filter((r) => r.method === "DELETE" && r.path.endsWith(`/identities/${id}`));
const codeOf = (r: CallToolResult) => (r.structuredContent as { confirmationCode: string }).confirmationCode;
/** The audit lines a process wrote for delete_identity on `id`. */
const linesOf = (stderr: string, id: string) =>
  auditLinesOf(stderr).filter((l) => l.tool === "delete_identity" && l.targetIds.includes(id));

describe.each(CLI_ERAS.map((e, i) => ({ ...e, i })))(
  "codes across a restart, without Redis, $label",
  cliStarts(4),
  ({ era, stdio, i }) => {
    const call = (cli: EraCli, args: Record<string, unknown>) => cli.call("delete_identity", args);

    /** Issues a code in one stdio process, ends it, and offers the code to a fresh process started the same way. */
    async function acrossRestart(
      args: string[],
      env: Record<string, string>,
      id: string,
    ): Promise<{ refused: CallToolResult; second: EraCli }> {
      const first = await stdio(args, env);
      const issued = await call(first, { identityId: id });
      expect(issued.structuredContent, textOf(issued)).toMatchObject({ status: "confirmation_required" });
      await expect.poll(() => linesOf(first.stderr(), id)).toHaveLength(1);
      expect(linesOf(first.stderr(), id)[0]!.era).toBe(era);
      await first.close();
      const second = await stdio(args, env);
      return { refused: await call(second, { identityId: id, confirmationCode: codeOf(issued) }), second };
    }

    it("a stdio server restarted with the same ISC_MCP_CONFIRM_KEY and --single-replica refuses the previous process's code, saying why: 0 writes", async () => {
      const id = ids[2 * i]!;
      const { refused, second } = await acrossRestart(
        ["--confirm", "auto", "--single-replica"],
        headless({ ISC_MCP_CONFIRM_KEY: KEY }),
        id,
      );
      try {
        expect(refused.isError).toBe(true);
        expect(textOf(refused)).toMatch(/^delete_identity refused: nothing was changed\./);
        expect(textOf(refused)).toContain(`Why: ${UNTRACKED}`);
        expect(textOf(refused)).not.toMatch(/not issued for this tool/);
        // The audit line goes to stderr, the result to stdout: the line may arrive a moment after the result.
        await expect.poll(() => linesOf(second.stderr(), id)).toHaveLength(1);
        expect(linesOf(second.stderr(), id)[0]).toMatchObject({ era, outcome: "refused", reason: "code-untracked" });
        expect(deletes(id)).toHaveLength(0);
        // Its own code works, once.
        const fresh = codeOf(await call(second, { identityId: id }));
        expect((await call(second, { identityId: id, confirmationCode: fresh })).structuredContent).toEqual({
          status: "executed",
        });
        expect(deletes(id)).toHaveLength(1);
        await expect.poll(() => linesOf(second.stderr(), id).filter((l) => l.outcome === "executed")).toHaveLength(1);
        for (const l of linesOf(second.stderr(), id)) expect(l.era).toBe(era);
      } finally {
        await second.close();
      }
    });

    it("with a random key per process (the default) a code from before the restart is refused with that reason, not as one for other arguments", async () => {
      const id = ids[2 * i + 1]!;
      const { refused, second } = await acrossRestart(["--confirm", "auto"], headless(), id);
      try {
        expect(refused.isError).toBe(true);
        expect(textOf(refused)).toContain(`Why: ${UNTRACKED}`);
        await expect.poll(() => linesOf(second.stderr(), id)).toHaveLength(1);
        expect(linesOf(second.stderr(), id)[0]).toMatchObject({ era, outcome: "refused", reason: "code-untracked" });
        expect(deletes(id)).toHaveLength(0);
      } finally {
        await second.close();
      }
    });
  },
);

describe("two processes that both claim --single-replica with one key", cliStarts(2), () => {
  let a: Replica;
  let b: Replica;
  // The same two processes for both eras: a code is spent or refused by the process, whichever client brings it.
  beforeAll(async () => {
    const env = {
      baseUrl: tenant.served.url,
      clientId: tenant.sandbox.clientId,
      clientSecret: tenant.sandbox.clientSecret,
    };
    const args = ["--single-replica", "--confirm", "auto"];
    [a, b] = await Promise.all([startReplica(env, args), startReplica(env, args)]);
  }, cliStarts(2).timeout);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it.each(REPLICA_ERAS.map((e, i) => ({ ...e, i })))("$label: still act once on one code", async ({ era, call, i }) => {
    const id = ids[2 * CLI_ERAS.length + i]!;
    const code = codeOf(await call(a, "delete_identity", { identityId: id }));
    const atB = await call(b, "delete_identity", { identityId: id, confirmationCode: code });
    expect(atB.isError).toBe(true);
    expect(textOf(atB)).toContain(`Why: ${UNTRACKED}`);
    expect(deletes(id)).toHaveLength(0);
    expect((await call(a, "delete_identity", { identityId: id, confirmationCode: code })).structuredContent).toEqual({
      status: "executed",
    });
    expect(deletes(id)).toHaveLength(1);
    await expect.poll(() => linesOf(b.cli.stderr(), id)).toHaveLength(1);
    expect(linesOf(b.cli.stderr(), id)[0]).toMatchObject({ era, outcome: "refused", reason: "code-untracked" });
    await expect.poll(() => linesOf(a.cli.stderr(), id).filter((l) => l.outcome === "executed")).toHaveLength(1);
    for (const l of linesOf(a.cli.stderr(), id)) expect(l.era).toBe(era);
  });
});

describe("a shared key needs a shared store", cliStarts(3), () => {
  const start = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [CLI, "--sandbox", ...args], { env, encoding: "utf8", timeout: 15_000, input: "" });
  const SHARED =
    /^isc-identities-mcp: ISC_MCP_CONFIRM_KEY is set, so every server process with that key accepts this one's confirmation codes, but without --redis-url each process keeps its own record of spent codes: one code could act once in each of them\. Set --redis-url .*, or --single-replica if this process is the only one with it, or unset ISC_MCP_CONFIRM_KEY\.$/;

  it("refuses ISC_MCP_CONFIRM_KEY without --redis-url at start, on stdio and for HTTP sessions, in one line", () => {
    for (const args of [
      ["--confirm", "auto"],
      ["--http", "--port", "0", "--confirm", "auto"],
    ]) {
      const run = start(args, headless({ ISC_MCP_CONFIRM_KEY: KEY }));
      expect(run.status, args.join(" ")).toBe(2);
      expect(run.stderr.trimEnd().split("\n"), args.join(" ")).toHaveLength(1);
      expect(run.stderr.trimEnd()).toMatch(SHARED);
      expect(run.stdout).toBe("");
    }
    // --stateless says the same in its own words (it needs the key, so the store is what is missing).
    const stateless = start(
      ["--http", "--port", "0", "--stateless", "--confirm", "auto"],
      headless({ ISC_MCP_CONFIRM_KEY: KEY }),
    );
    expect(stateless.status).toBe(2);
    expect(stateless.stderr).toMatch(/^isc-identities-mcp: --stateless needs --redis-url .*--single-replica/);
  });
});

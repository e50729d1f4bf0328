// The guard's last word before acting: even if a page let the wrong person answer, a signed-in asker's action needs their own yes (or, under four-eyes, someone else's).
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";
import type { Actor } from "../../src/guard/actor.js";
import { createMemoryStore } from "../../src/guard/store.js";
import { createSandbox } from "../../src/sandbox/index.js";
import { CLI_ERAS, type CliEra } from "../support/cli-eras.js";
import { deletable, textOf } from "../support/confirm-e2e.js";
import { writeRequests } from "../support/guard-helpers.js";
import { rawRequest } from "../support/http-harness.js";
import { startPagedHttp } from "../support/paged-http.js";
import { AUDIENCE, signInArgs, startOidcProvider, type OidcFixture } from "../support/oidc-provider.js";

const SCOPES = ["identities:read", "identities:write", "identities:destructive"];

let idp: OidcFixture;
let close: (() => Promise<void>) | undefined;
beforeAll(async () => {
  idp = await startOidcProvider({ accounts: [{ sub: "ana", scopes: SCOPES }] });
});
afterEach(async () => {
  await close?.();
  close = undefined;
});
afterAll(() => idp.close());

/**
 * The server in-process with a page "sign-in" that lets `answerer` answer any page: the guard must still refuse. The
 * client (of `era`) declares URL elicitation and, shown the page, posts the answer there; a 2025 client is asked on its
 * session, a 2026 one gets the page as a round's input request and calls again, on which the server awaits the page.
 */
async function deleteAnsweredBy(era: CliEra, answerer: Actor, argv: string[] = []) {
  const { config } = resolveConfig(["--sandbox", "--http", "--port", "0", ...signInArgs(idp), ...argv], {});
  const sandbox = createSandbox({ rateLimit: false, identities: 20 });
  const audit: string[] = [];
  const auditLog = { record: (e: object) => void audit.push(JSON.stringify(e)), close: async () => {} };
  const http = await startPagedHttp(config, sandbox, {
    store: createMemoryStore(),
    audit: auditLog,
    pages: { gate: async () => ({ ok: true, actor: answerer }) },
    http: (inventory) => ({ oauth: { toolKind: inventory.kindOf } }),
  });
  close = () => http.close();
  const id = deletable(sandbox.state, 1)[0]!;
  const name = sandbox.state.identities.get(id)!.name;
  let answered: Promise<unknown> | undefined;
  const token = await idp.token("ana", SCOPES, { resource: AUDIENCE });
  const client = await era.http(
    http.serving.url,
    { elicitation: { url: {} } },
    ({ url }) => {
      answered = rawRequest(url!, {
        headers: { origin: new URL(url!).origin, "content-type": "application/x-www-form-urlencoded" },
        body: `answer=confirm&name=${encodeURIComponent(name)}`,
      });
      return { action: "accept" };
    },
    { authorization: `Bearer ${token}` },
  );
  close = async () => (await client.close(), await http.close());
  const res = (await client.callTool({ name: "delete_identity", arguments: { identityId: id } })) as CallToolResult;
  await answered;
  return {
    res,
    deletes: writeRequests(sandbox).filter((r) => r.method === "DELETE"),
    last: JSON.parse(audit.at(-1)!) as Record<string, unknown>,
  };
}

describe.each(CLI_ERAS)("$label", (era) => {
  it("an answer from someone other than the asker is refused before acting: nothing deleted", async () => {
    const { res, deletes, last } = await deleteAnsweredBy(era, { sub: "bob" });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/the answer came from a different person than the one who asked/);
    expect(deletes).toEqual([]);
    expect(last).toMatchObject({
      era: era.era,
      tool: "delete_identity",
      outcome: "refused",
      reason: "cancelled",
      actor: { sub: "ana" },
      confirmedBy: { sub: "bob" },
    });
  });

  it("under --four-eyes the asker's own answer is refused before acting: nothing deleted", async () => {
    const { res, deletes, last } = await deleteAnsweredBy(era, { sub: "ana" }, ["--four-eyes"]);
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/under --four-eyes a different signed-in approver must confirm/);
    expect(deletes).toEqual([]);
    expect(last).toMatchObject({ era: era.era, outcome: "refused", actor: { sub: "ana" } });
  });

  it("the asker's own answer, without four-eyes, goes through (the check refuses only the wrong person)", async () => {
    const { res, deletes, last } = await deleteAnsweredBy(era, { sub: "ana" });
    expect(res.isError, textOf(res)).toBeFalsy();
    expect(deletes).toHaveLength(1);
    expect(last).toMatchObject({
      era: era.era,
      outcome: "executed",
      confirmation: "url",
      actor: { sub: "ana" },
      confirmedBy: { sub: "ana" },
    });
  });
});

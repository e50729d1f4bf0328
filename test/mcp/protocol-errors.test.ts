// What the spec makes a protocol error and what a tool error, through a real MCP client: unknown tools, missing resources, unknown arguments.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { ErrorCode } from "@modelcontextprotocol/sdk/types.js";
import { pickFixtures } from "../../src/sandbox/index.js";
import { TOOLS } from "../../tools/index.js";
import { callerOf, type Caller } from "../../src/mcp/caller.js";
import { startHarness, textOf } from "../support/harness.js";
import { ERAS, protocolError, type EraHarness } from "../support/both-eras.js";

describe.each(ERAS)("$name", ({ start }) => {
  let h: EraHarness;
  beforeAll(async () => {
    h = await start({ argv: ["--confirm", "strict"], sandbox: { identities: 40 } });
  });
  afterAll(() => h.close());

  describe("protocol errors (JSON-RPC)", () => {
    it("an unknown tool is -32602, not a tool result, and names only the tools this client is listed", async () => {
      // Strict, and this client declares no elicitation: delete and reset are hidden from it, so not named or guessed.
      const listed = (await h.client.listTools()).tools.map((t) => t.name);
      expect(listed).toEqual(TOOLS.filter((t) => !t.guard?.alwaysConfirms).map((t) => t.name));
      h.sandbox.clearRequests();
      for (const name of ["delete_everything", "delete_identities"]) {
        const err = await protocolError(h.call(name, {}));
        expect(err.code).toBe(ErrorCode.InvalidParams);
        expect(err.message).toBe(`Unknown tool "${name}". Available tools: ${listed.join(", ")}.`);
      }
      expect(h.sandbox.requests).toEqual([]);
    });

    it("to a client with form elicitation, names every tool and guesses the closest one of the same verb", async () => {
      const f = await start({ argv: ["--confirm", "strict"], onElicit: () => ({ action: "decline" }) });
      try {
        const all = TOOLS.map((t) => t.name);
        expect((await f.client.listTools()).tools.map((t) => t.name)).toEqual(all);
        const err = await protocolError(f.call("delete_identities", {}));
        expect(err.message).toBe(
          `Unknown tool "delete_identities". Did you mean delete_identity? Available tools: ${all.join(", ")}.`,
        );
        expect(f.sandbox.requests).toEqual([]);
      } finally {
        await f.close();
      }
    });

    it("a resource that does not exist is -32602 with its URI in data.uri (SEP-2164), malformed or missing alike", async () => {
      const missing = "isc://identities/0123456789abcdef0123456789abcdef";
      for (const uri of [missing, "isc://roles/abc", "isc://identities/../../oauth/token"]) {
        const err = await protocolError(h.client.readResource({ uri }));
        expect(err.code, uri).toBe(ErrorCode.InvalidParams);
        expect(err.data, uri).toEqual({ uri });
      }
      expect((await protocolError(h.client.readResource({ uri: missing }))).message).toBe(
        `No identity 0123456789abcdef0123456789abcdef: find ids with the list_identities tool.`,
      );
    });
  });

  describe("unknown arguments are refused, not ignored (a tool error the model can act on)", () => {
    it("list_identities with `filter` names the argument it probably meant, and reaches nothing", async () => {
      h.sandbox.clearRequests();
      const res = await h.call("list_identities", { filter: 'name sw "A"' });
      expect(res.isError).toBe(true);
      expect(res.structuredContent).toBeUndefined();
      expect(textOf(res)).toBe(
        'Invalid arguments for tool "list_identities":\n✖ unknown argument `filter`; did you mean `filters`?\nNext step: fix filter and call again; nothing was sent to ISC.',
      );
      expect(h.sandbox.requests).toEqual([]);
    });

    it("suggests across tools and case, several keys at once, and nothing when nothing is close", async () => {
      const { plain } = pickFixtures(h.sandbox.state);
      expect(textOf(await h.call("get_identity", { identityId: plain, identity_id: plain }))).toContain(
        "✖ unknown argument `identity_id`; did you mean `identityId`?",
      );
      const both = textOf(await h.call("list_identities", { Limit: 5, colour: "red" }));
      expect(both).toContain("✖ unknown argument `Limit`; did you mean `limit`?\n✖ unknown argument `colour`\n");
      expect(both).toContain("Next step: fix Limit, colour and call again");
    });

    it("holds for writes too: an unknown argument stops a delete before the guard or ISC sees it", async () => {
      h.sandbox.clearRequests();
      const { plain } = pickFixtures(h.sandbox.state);
      const res = await h.call("delete_identity", { identityId: plain, force: true });
      expect(res.isError).toBe(true);
      expect(textOf(res)).toMatch(/^Invalid arguments for tool "delete_identity":\n✖ unknown argument `force`\n/);
      expect(h.sandbox.requests).toEqual([]);
      expect(h.sandbox.state.identities.has(plain)).toBe(true);
      expect(h.audit).toEqual([]);
    });
  });
});

describe("a tool outside the caller's sign-in scopes", () => {
  it("is neither listed nor callable: the same -32602 as a name never heard of, and nothing reaches ISC", async () => {
    const r = await startHarness({ sandbox: { identities: 20 } });
    try {
      // What the HTTP sign-in hands the server for a person whose token allows reads only (src/mcp/caller.ts).
      const caller: Caller = { actor: { sub: "reader-1" }, kinds: ["read"] };
      const authInfo = { token: "", clientId: "c", scopes: [], extra: { caller } };
      expect(callerOf(authInfo)).toEqual(caller);
      // The in-memory transport hands the server what each message is sent with, as the HTTP transport does.
      const transport = r.client.transport as InMemoryTransport;
      const send = transport.send.bind(transport);
      transport.send = (message, options) => send(message, { ...options, authInfo });
      const reads = TOOLS.filter((t) => t.kind === "read").map((t) => t.name);
      expect((await r.client.listTools()).tools.map((t) => t.name)).toEqual(reads);
      r.sandbox.clearRequests();
      const { plain } = pickFixtures(r.sandbox.state);
      for (const name of ["delete_identity", "delete_everything"]) {
        const err = await protocolError(r.call(name, { identityId: plain }));
        expect(err.code, name).toBe(ErrorCode.InvalidParams);
        expect(err.message, name).toBe(`Unknown tool "${name}". Available tools: ${reads.join(", ")}.`);
      }
      expect(r.sandbox.requests).toEqual([]);
      expect(r.sandbox.state.identities.has(plain)).toBe(true);
    } finally {
      await r.close();
    }
  });
});

// completion/complete through a real MCP client: identity arguments complete from the sandbox tenant, one ISC request per prefix.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/core/log.js";
import { pickFixtures, type Sandbox } from "../../src/sandbox/index.js";
import { startHarness, type Harness } from "../support/harness.js";

const who = (name: string, value: string) => ({
  ref: { type: "ref/prompt" as const, name },
  argument: { name: "who", value },
});
const identityId = (value: string) => ({
  ref: { type: "ref/resource" as const, uri: "isc://identities/{identityId}" },
  argument: { name: "identityId", value },
});

/** What ISC's list answers for `name sw p or alias sw p` (case-insensitive, correlated identities only), from the sandbox's own data. */
function matching(sandbox: Sandbox, prefix: string) {
  const p = prefix.toLowerCase();
  return [...sandbox.state.identities.values()].filter(
    (i) =>
      sandbox.state.flags.get(i.id)?.correlated === true &&
      (i.name.toLowerCase().startsWith(p) || i.alias.toLowerCase().startsWith(p)),
  );
}

const listRequests = (sandbox: Sandbox) =>
  sandbox.requests.filter((r) => r.method === "GET" && /^\/(v2024|v2025|v2026)?\/?identities(\/v1)?$/.test(r.path));

let h: Harness;
const debug: string[] = [];
beforeAll(async () => {
  h = await startHarness({ serverLog: createLogger("debug", (line) => void debug.push(line)) });
});
afterAll(() => h.close());

describe("completion/complete", () => {
  it("is a declared capability", () => {
    expect(h.client.getServerCapabilities()?.completions).toEqual({});
  });

  it("completes a prompt's identity from a name prefix: at most 10 real names, and the total", async () => {
    const expected = matching(h.sandbox, "a");
    expect(expected.length).toBeGreaterThan(10);
    const { completion } = await h.client.complete(who("access_review", "a"));
    expect(completion.values).toHaveLength(10);
    const names = new Set(expected.map((i) => i.name));
    for (const v of completion.values) expect(names, v).toContain(v);
    expect(completion.total).toBe(expected.length);
    expect(completion.hasMore).toBe(true);
  });

  it("narrows to the one identity a longer prefix names", async () => {
    const plain = h.sandbox.state.identities.get(pickFixtures(h.sandbox.state).plain)!;
    const prefix = plain.name.slice(0, -1);
    const expected = matching(h.sandbox, prefix).map((i) => i.name);
    const { completion } = await h.client.complete(who("locked_out_user", prefix));
    expect(completion.values).toEqual(expect.arrayContaining([plain.name]));
    expect(new Set(completion.values)).toEqual(new Set(expected));
    expect(completion).toMatchObject({ total: expected.length, hasMore: false });
  });

  it("offers the alias when the alias, not the name, starts with what was typed", async () => {
    const plain = h.sandbox.state.identities.get(pickFixtures(h.sandbox.state).plain)!;
    const before = plain.alias;
    plain.alias = "zq-helpdesk-7";
    try {
      const { completion } = await h.client.complete(who("offboarding_precheck", "zq-help"));
      expect(completion.values).toEqual(["zq-helpdesk-7"]);
      expect(completion.total).toBe(1);
    } finally {
      plain.alias = before;
    }
  });

  it("completes the resource template's identityId with the ids of the matching identities", async () => {
    const plain = h.sandbox.state.identities.get(pickFixtures(h.sandbox.state).plain)!;
    const expected = matching(h.sandbox, plain.name).map((i) => i.id);
    const { completion } = await h.client.complete(identityId(plain.name));
    expect(completion.values).toEqual(expect.arrayContaining([plain.id]));
    expect(new Set(completion.values)).toEqual(new Set(expected));
    for (const v of completion.values) expect(v).toMatch(/^[0-9a-f]{32}$/);
  });

  it("sends one ISC request per distinct prefix: a second identical call (or two at once) is answered from the cache", async () => {
    h.sandbox.clearRequests();
    const [first, second] = await Promise.all([
      h.client.complete(who("access_review", "Be")),
      h.client.complete(who("access_review", "Be")),
    ]);
    const third = await h.client.complete(identityId("Be"));
    expect(second.completion.values).toEqual(first.completion.values);
    expect(first.completion.values.length).toBeGreaterThan(0);
    expect(third.completion.values).toHaveLength(first.completion.values.length);
    expect(listRequests(h.sandbox)).toHaveLength(1);
    const query = new URLSearchParams(listRequests(h.sandbox)[0]!.query);
    expect(query.get("filters")).toBe('name sw "Be" or alias sw "Be"');
    expect(query.get("limit")).toBe("10");
    expect(query.get("count")).toBe("true");
    await h.client.complete(who("access_review", "Bea"));
    expect(listRequests(h.sandbox)).toHaveLength(2);
  });

  it("quotes what was typed as one filter string: quotes and backslashes cannot change the filter", async () => {
    h.sandbox.clearRequests();
    const { completion } = await h.client.complete(who("access_review", 'a" or name sw "\\'));
    expect(completion.values).toEqual([]);
    const [req] = listRequests(h.sandbox);
    expect(req?.status).toBe(200);
    expect(new URLSearchParams(req!.query).get("filters")).toBe(
      'name sw "a\\" or name sw \\"\\\\" or alias sw "a\\" or name sw \\"\\\\"',
    );
  });

  it("never suggests a name with control, bidi or invisible characters", async () => {
    const plain = h.sandbox.state.identities.get(pickFixtures(h.sandbox.state).plain)!;
    const before = plain.name;
    plain.name = "Zyx\u202Etxt.exe";
    try {
      const { completion } = await h.client.complete(who("access_review", "Zyx"));
      expect(completion.values).toEqual([]);
    } finally {
      plain.name = before;
    }
  });

  it("answers an empty prefix with no suggestions and no ISC request", async () => {
    h.sandbox.clearRequests();
    const { completion } = await h.client.complete(who("access_review", "  "));
    expect(completion).toEqual({ values: [], total: 0, hasMore: false });
    expect(listRequests(h.sandbox)).toHaveLength(0);
  });

  it("turns an ISC failure into an empty completion and a debug line, and does not keep it", async () => {
    h.sandbox.inject({ method: "GET", path: "/v2025/identities", status: 400 });
    debug.length = 0;
    const failed = await h.client.complete(who("access_review", "Ca"));
    expect(failed.completion.values).toEqual([]);
    expect(debug.join("")).toMatch(/debug: completion for "Ca" got no suggestions: /);
    const retried = await h.client.complete(who("access_review", "Ca"));
    expect(retried.completion.values.length).toBeGreaterThan(0);
  });

  it("completes fixed values (the reset link's channel) without asking ISC", async () => {
    h.sandbox.clearRequests();
    const { completion } = await h.client.complete({
      ref: { type: "ref/prompt", name: "locked_out_user" },
      argument: { name: "via", value: "email" },
    });
    expect(completion.values).toEqual(["EMAIL_WORK", "EMAIL_PERSONAL"]);
    expect(h.sandbox.requests).toHaveLength(0);
  });

  it("refuses an unknown prompt, argument or template as invalid params", async () => {
    await expect(
      h.client.complete({ ref: { type: "ref/prompt", name: "nope" }, argument: { name: "who", value: "a" } }),
    ).rejects.toThrow(/-32602.*Unknown prompt "nope"/);
    await expect(
      h.client.complete({ ref: { type: "ref/prompt", name: "access_review" }, argument: { name: "whom", value: "a" } }),
    ).rejects.toThrow(/-32602.*no argument "whom"/);
    await expect(
      h.client.complete({
        ref: { type: "ref/resource", uri: "isc://roles/{id}" },
        argument: { name: "id", value: "a" },
      }),
    ).rejects.toThrow(/-32602.*Unknown resource template/);
  });
});

describe.each(["v2024", "v1"])("completion on --api-version %s", (version) => {
  let v: Harness;
  beforeAll(async () => {
    v = await startHarness({ env: { ISC_MCP_API_VERSION: version } });
  });
  afterAll(() => v.close());

  it("asks that version's list path and gets real names", async () => {
    const { completion } = await v.client.complete(who("access_review", "Da"));
    const names = new Set(matching(v.sandbox, "Da").map((i) => i.name));
    expect(completion.values.length).toBe(Math.min(10, names.size));
    for (const value of completion.values) expect(names).toContain(value);
    const paths = listRequests(v.sandbox).map((r) => r.path);
    expect(paths).toEqual([version === "v1" ? "/identities/v1" : `/${version}/identities`]);
  });
});

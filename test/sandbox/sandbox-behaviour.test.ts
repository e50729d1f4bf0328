// Sandbox list semantics: the filter grammar, sorters, paging, defaultFilter, and the role-assignment reads.
import { beforeAll, describe, expect, test } from "vitest";
import { createSandbox, pickFixtures, type Fixtures, type Identity, type Sandbox } from "../../src/sandbox/index.js";
import { connect, messageOf, q, type CallOptions, type Reply } from "./sandbox-helpers.js";

let sandbox: Sandbox;
let fx: Fixtures;
let call: (method: string, path: string, opts?: CallOptions) => Promise<Reply>;
beforeAll(async () => {
  sandbox = createSandbox({ identities: 400, seed: 3, rateLimit: false });
  fx = pickFixtures(sandbox.state);
  call = await connect(sandbox);
});

const all = (): Identity[] => [...sandbox.state.identities.values()];
const ids = (reply: Reply): string[] => reply.json<Identity[]>().map((i) => i.id);
const attr = (i: Identity, name: string): string => String(i.attributes[name]);
const correlated = (i: Identity): boolean => sandbox.state.flags.get(i.id)?.correlated === true;

describe("filters", () => {
  test("id eq and id in", async () => {
    expect(ids(await call("GET", q(`id eq "${fx.owner}"`)))).toEqual([fx.owner]);
    const r = await call("GET", q(`id in ("${fx.owner}", "${fx.manager}","nope")`));
    expect(ids(r).sort()).toEqual([fx.owner, fx.manager].sort());
  });

  test("name, alias, firstname, lastname, email with eq and sw (case-insensitive)", async () => {
    const target = sandbox.state.identities.get(fx.plain) as Identity;
    expect(ids(await call("GET", q(`name eq "${target.name.toUpperCase()}"`)))).toEqual([fx.plain]);
    expect(ids(await call("GET", q(`alias eq "${target.alias}"`)))).toEqual([fx.plain]);
    expect(ids(await call("GET", q(`email eq "${target.emailAddress}"`)))).toEqual([fx.plain]);
    const cases: Array<[string, (i: Identity) => string | null]> = [
      ["name", (i) => i.name],
      ["alias", (i) => i.alias],
      ["firstname", (i) => attr(i, "firstname")],
      ["lastname", (i) => attr(i, "lastname")],
      ["email", (i) => i.emailAddress],
    ];
    for (const [field, read] of cases) {
      const prefix = (read(target) ?? "").slice(0, 2);
      const want = all()
        .filter((i) => (read(i) ?? "").toLowerCase().startsWith(prefix.toLowerCase()))
        .map((i) => i.id);
      const got = ids(await call("GET", q(`${field} sw "${prefix}"`)));
      expect(got, field).toEqual(want);
      expect(got.length, field).toBeGreaterThan(0);
    }
    const first = attr(target, "firstname");
    expect(ids(await call("GET", q(`firstname eq "${first}"`)))).toEqual(
      all()
        .filter((i) => attr(i, "firstname") === first)
        .map((i) => i.id),
    );
  });

  test("cloudStatus, processingState, correlated and protected with eq", async () => {
    expect(ids(await call("GET", q(`cloudStatus eq "UNREGISTERED"`)))).toEqual(
      all()
        .filter((i) => attr(i, "cloudStatus") === "UNREGISTERED")
        .map((i) => i.id),
    );
    expect(ids(await call("GET", q(`processingState eq "ERROR"`)))).toEqual(
      all()
        .filter((i) => i.processingState === "ERROR")
        .map((i) => i.id),
    );
    const uncorrelated = all()
      .filter((i) => !correlated(i))
      .map((i) => i.id);
    expect(uncorrelated.length).toBeGreaterThan(0);
    expect(ids(await call("GET", q("correlated eq false")))).toEqual(uncorrelated);
    const prot = all()
      .filter((i) => sandbox.state.flags.get(i.id)?.protected)
      .map((i) => i.id);
    expect(prot).toContain(fx.protected);
    expect(ids(await call("GET", q("protected eq true")))).toEqual(prot);
  });

  test("and / or / not / parentheses, with and binding tighter than or", async () => {
    const f = `(cloudStatus eq "ACTIVE" or cloudStatus eq "LOCKED") and not processingState eq "OK"`;
    const want = all()
      .filter((i) => ["ACTIVE", "LOCKED"].includes(attr(i, "cloudStatus")) && i.processingState !== "OK")
      .map((i) => i.id);
    expect(want.length).toBeGreaterThan(0);
    expect(ids(await call("GET", q(f)))).toEqual(want);
    const g = `id eq "${fx.owner}" or id eq "${fx.manager}" and protected eq true`;
    const managerProtected = sandbox.state.flags.get(fx.manager)?.protected;
    expect(ids(await call("GET", q(g))).sort()).toEqual(
      (managerProtected ? [fx.owner, fx.manager] : [fx.owner]).sort(),
    );
    expect(ids(await call("GET", q(`not (not id eq "${fx.owner}")`)))).toEqual([fx.owner]);
  });

  test('double-quoted strings with \\" and \\\\ escapes', async () => {
    const target = sandbox.state.identities.get(fx.manager) as Identity;
    const saved = target.name;
    target.name = 'Odd "Quoted" Back\\slash';
    try {
      expect(ids(await call("GET", q(`name eq "Odd \\"Quoted\\" Back\\\\slash"`)))).toEqual([fx.manager]);
      expect(ids(await call("GET", q(`name sw "Odd \\"Q"`)))).toEqual([fx.manager]);
    } finally {
      target.name = saved;
    }
  });

  test.each([
    [`department eq "Legal"`, 'field "department" is not supported'],
    [`name co "al"`, 'operator "co" is not supported for field "name" (supported: eq, sw)'],
    [`id sw "ab"`, 'operator "sw" is not supported for field "id"'],
    [`cloudStatus sw "A"`, 'operator "sw" is not supported for field "cloudStatus"'],
    [`email in ("a")`, 'operator "in" is not supported for field "email"'],
    [`name EQ "a"`, 'operators are lowercase: use "eq" instead of "EQ"'],
    [`name eq "a" AND alias eq "b"`, 'use "and" instead of "AND"'],
    [`name foo "a"`, 'unknown operator "foo"'],
    [`name eq "abc`, "unterminated string"],
    [`name eq`, "takes a double-quoted string but found end of filter"],
    [`(name eq "a"`, 'expected ")" but found end of filter'],
    [`correlated eq "true"`, 'field "correlated" takes true or false (unquoted)'],
    [`name eq true`, 'field "name" takes a double-quoted string'],
    [`name eq 'a'`, "strings must be double-quoted"],
    [`name eq "a\\n"`, "unsupported escape"],
    [`name eq "a" alias eq "b"`, 'unexpected "alias" at position 12; expected "and", "or" or end of filter'],
    [`id in "a"`, 'expected "(" after "in"'],
    [`name eq "a" = 1`, 'unexpected character "="'],
  ])("%s -> 400 naming the problem", async (filter, text) => {
    const r = await call("GET", q(filter));
    expect(r.status).toBe(400);
    expect(messageOf(r)).toContain("Invalid filter: ");
    expect(messageOf(r)).toContain(text);
  });
});

describe("sorters, paging and defaultFilter", () => {
  const listAll = async (query: string): Promise<Identity[]> =>
    (await call("GET", `/identities?defaultFilter=NONE&${query}`)).json<Identity[]>();

  test("default order is name then id; sorters asc and desc", async () => {
    const names = (await listAll("limit=250")).map((i) => i.name.toLowerCase());
    expect(names).toEqual([...names].sort());
    const desc = (await listAll("sorters=-name&limit=250")).map((i) => i.name.toLowerCase());
    expect(desc).toEqual([...desc].sort().reverse());
    const aliases = (await listAll("sorters=alias")).map((i) => i.alias);
    expect(aliases).toEqual([...aliases].sort());
  });

  test("multiple sorters: cloudStatus descending, then name", async () => {
    const list = await listAll("sorters=-cloudStatus,name");
    const keys = list.map((i) => `${attr(i, "cloudStatus")}|${i.name.toLowerCase()}`);
    const want = [...keys].sort((a, b) => {
      const [sa = "", na = ""] = a.split("|"),
        [sb = "", nb = ""] = b.split("|");
      return sa === sb ? (na < nb ? -1 : na > nb ? 1 : 0) : sa < sb ? 1 : -1;
    });
    expect(keys).toEqual(want);
    expect(new Set(list.map((i) => attr(i, "cloudStatus"))).size).toBeGreaterThan(2);
  });

  test.each(["email", "-", "name,,alias", "created"])("bad sorter %s -> 400", async (sorter) => {
    const r = await call("GET", `/identities?sorters=${encodeURIComponent(sorter)}`);
    expect(r.status).toBe(400);
    expect(messageOf(r)).toContain("Invalid sorter");
    expect(messageOf(r)).toContain("name, alias, cloudStatus");
  });

  test("limit, offset and count=true with X-Total-Count", async () => {
    const full = all()
      .filter(correlated)
      .map((i) => i.id);
    const r = await call("GET", "/identities?limit=7&offset=5&count=true");
    expect(ids(r)).toEqual(full.slice(5, 12));
    expect(r.headers.get("x-total-count")).toBe(String(full.length));
    expect((await call("GET", "/identities?limit=3")).headers.get("x-total-count")).toBeNull();
    expect(ids(await call("GET", "/identities"))).toEqual(full.slice(0, 250));
    expect(ids(await call("GET", "/identities?limit=0&count=true"))).toEqual([]);
    expect(ids(await call("GET", `/identities?offset=${full.length}`))).toEqual([]);
    const filtered = await call(
      "GET",
      `/identities?count=true&limit=1&filters=${encodeURIComponent('processingState eq "ERROR"')}`,
    );
    expect(filtered.headers.get("x-total-count")).toBe(
      String(all().filter((i) => correlated(i) && i.processingState === "ERROR").length),
    );
  });

  test.each([
    "limit=251",
    "limit=-1",
    "limit=1.5",
    "limit=abc",
    "limit=",
    "offset=-1",
    "count=yes",
    "defaultFilter=ALL",
  ])("%s -> 400 naming the parameter", async (query) => {
    const r = await call("GET", `/identities?${query}`);
    expect(r.status).toBe(400);
    expect(messageOf(r)).toContain(`"${query.split("=")[0]}"`);
  });

  test("defaultFilter CORRELATED_ONLY is the default and hides uncorrelated identities", async () => {
    const f = encodeURIComponent(`id eq "${fx.uncorrelated}"`);
    expect(ids(await call("GET", `/identities?filters=${f}`))).toEqual([]);
    expect(ids(await call("GET", `/identities?filters=${f}&defaultFilter=CORRELATED_ONLY`))).toEqual([]);
    expect(ids(await call("GET", `/identities?filters=${f}&defaultFilter=NONE`))).toEqual([fx.uncorrelated]);
  });

  test("/v2024 answers the same as /v2025", async () => {
    const a = await call("GET", "/identities?limit=20&sorters=-alias", { version: "v2024" });
    const b = await call("GET", "/identities?limit=20&sorters=-alias");
    expect(a.status).toBe(200);
    expect(a.text).toBe(b.text);
  });
});

describe("role assignments and ownership", () => {
  test("unfiltered list gives references; roleId/roleName give full assignments", async () => {
    const stored = sandbox.state.roleAssignments.get(fx.withRoles) ?? [];
    const refs = (await call("GET", `/identities/${fx.withRoles}/role-assignments`)).json<
      Array<Record<string, unknown>>
    >();
    expect(refs.map((r) => r["id"])).toEqual(stored.map((a) => a.id));
    for (const r of refs) expect(Object.keys(r).sort()).toEqual(["addedDate", "id", "removeDate", "role", "startDate"]);
    const second = stored[1];
    if (!second) throw new Error("fixture withRoles has fewer than 2 assignments");
    const byName = await call(
      "GET",
      `/identities/${fx.withRoles}/role-assignments?roleName=${encodeURIComponent(second.role.name.toUpperCase())}`,
    );
    expect(byName.json()).toEqual([second]);
    expect((await call("GET", `/identities/${fx.withRoles}/role-assignments?roleId=${second.role.id}`)).json()).toEqual(
      [second],
    );
    expect((await call("GET", `/identities/${fx.withRoles}/role-assignments?roleId=nope`)).json()).toEqual([]);
    expect(new Set(stored.map((a) => a.assignmentSource)).size).toBeGreaterThanOrEqual(2);
  });

  test("get one assignment, and 404 for an unknown one or one of another identity", async () => {
    const [first] = sandbox.state.roleAssignments.get(fx.withRoles) ?? [];
    const ok = await call("GET", `/identities/${fx.withRoles}/role-assignments/${first?.id}`);
    expect(ok.json()).toEqual(first);
    expect((await call("GET", `/identities/${fx.plain}/role-assignments/${first?.id}`)).status).toBe(404);
    expect((await call("GET", `/identities/${fx.withRoles}/role-assignments/0000`)).status).toBe(404);
  });

  test("ownership lists owned objects wrapped in identityEntity", async () => {
    const details = (await call("GET", `/identities/${fx.owner}/ownership`)).json<{
      associationDetails: Array<{
        associationType: string;
        entities: Array<{ identityEntity: { id: string; type: string } }>;
      }>;
    }>();
    expect(details.associationDetails).toEqual(sandbox.state.ownership.get(fx.owner));
    expect(details.associationDetails[0]?.associationType).toMatch(/_OWNER$/);
    expect(details.associationDetails[0]?.entities[0]?.identityEntity.id).toMatch(/^[0-9a-f]{32}$/);
  });

  test("unknown identity ids are 404 with the spec's detail code, including encoded slashes", async () => {
    const r = await call("GET", "/identities/ffffffffffffffffffffffffffffffff");
    expect(r.status).toBe(404);
    expect(r.json<{ detailCode: string }>().detailCode).toBe("404 Not found");
    const slash = await call("GET", `/identities/${fx.plain}%2Fownership`);
    expect(slash.status).toBe(404);
    expect(messageOf(slash)).toContain(`${fx.plain}/ownership`);
  });
});

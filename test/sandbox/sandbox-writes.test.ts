// Sandbox write operations: delete guards, reset, sync interval, invite, send email, process, experimental header.
import { beforeEach, describe, expect, test } from "vitest";
import { createSandbox, pickFixtures, type Fixtures, type Identity, type Sandbox } from "../../src/sandbox/index.js";
import { connect, messageOf, type CallOptions, type Reply } from "./sandbox-helpers.js";

let sandbox: Sandbox;
let fx: Fixtures;
let call: (method: string, path: string, opts?: CallOptions) => Promise<Reply>;
let clock = 0;
beforeEach(async () => {
  clock = Date.UTC(2026, 0, 5, 9);
  sandbox = createSandbox({ identities: 200, seed: 11, rateLimit: false, now: () => clock });
  fx = pickFixtures(sandbox.state);
  call = await connect(sandbox);
});

describe("delete", () => {
  test("a protected identity -> 400 IdentityAssociationDetails, nothing deleted", async () => {
    const r = await call("DELETE", `/identities/${fx.protected}`);
    expect(r.status).toBe(400);
    expect(r.json()).toEqual({ message: "Identity is protected and cannot be deleted", associationDetails: [] });
    expect((await call("GET", `/identities/${fx.protected}`)).status).toBe(200);
    expect(sandbox.state.deleted).toEqual([]);
  });

  test("an owner -> 400 listing what it owns, nothing deleted", async () => {
    const r = await call("DELETE", `/identities/${fx.owner}`);
    expect(r.status).toBe(400);
    const body = r.json<{ message: string; associationDetails: unknown[] }>();
    expect(body.message).toBe("Identity cannot be deleted as it is owner of following resources");
    expect(body.associationDetails).toEqual(sandbox.state.ownership.get(fx.owner));
    expect(body.associationDetails.length).toBeGreaterThan(0);
    expect(sandbox.state.identities.has(fx.owner)).toBe(true);
  });

  test("a plain identity -> 204, then gone from get, list, role assignments and state", async () => {
    const withRoles = fx.withRoles;
    const owns =
      (sandbox.state.ownership.get(withRoles)?.length ?? 0) > 0 || sandbox.state.flags.get(withRoles)?.protected;
    expect(owns).toBeFalsy();
    const r = await call("DELETE", `/identities/${withRoles}`);
    expect(r.status).toBe(204);
    expect(r.text).toBe("");
    expect((await call("GET", `/identities/${withRoles}`)).status).toBe(404);
    expect((await call("GET", `/identities/${withRoles}/role-assignments`)).status).toBe(404);
    expect((await call("DELETE", `/identities/${withRoles}`)).status).toBe(404);
    const list = (
      await call("GET", `/identities?defaultFilter=NONE&filters=${encodeURIComponent(`id eq "${withRoles}"`)}`)
    ).json<unknown[]>();
    expect(list).toEqual([]);
    expect(sandbox.state.roleAssignments.has(withRoles)).toBe(false);
    expect(sandbox.state.deleted).toEqual([withRoles]);
  });
});

test("reset -> 202 empty; the identity is unregistered and the reset recorded", async () => {
  const r = await call("POST", `/identities/${fx.plain}/reset`);
  expect(r.status).toBe(202);
  expect(r.text).toBe("");
  const after = (await call("GET", `/identities/${fx.plain}`)).json<Identity>();
  expect(after.identityStatus).toBe("UNREGISTERED");
  expect(after.attributes["cloudStatus"]).toBe("UNREGISTERED");
  expect(after.modified).toBe("2026-01-05T09:00:00.000Z");
  expect(sandbox.state.resets).toEqual([{ at: clock, identityId: fx.plain }]);
});

test("synchronize-attributes: 202 job, then 429 with Retry-After until the interval passes", async () => {
  const path = `/identities/${fx.plain}/synchronize-attributes`;
  const first = await call("POST", path);
  expect(first.status).toBe(202);
  const job = first.json<{ id: string; status: string; payload: { type: string; dataJson: string } }>();
  expect(job.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(job.status).toBe("QUEUED");
  expect(job.payload.type).toBe("SYNCHRONIZE_IDENTITY_ATTRIBUTES");
  expect(JSON.parse(job.payload.dataJson)).toEqual({ identityId: fx.plain });
  clock += 2_500;
  const second = await call("POST", path);
  expect(second.status).toBe(429);
  expect(second.headers.get("retry-after")).toBe("8");
  expect(second.json<{ message: string }>().message).toContain("once per 10 seconds");
  expect((await call("POST", `/identities/${fx.manager}/synchronize-attributes`)).status).toBe(202);
  clock += 7_500;
  expect((await call("POST", path)).status).toBe(202);
  expect(sandbox.state.syncs.map((s) => s.identityId)).toEqual([fx.plain, fx.manager, fx.plain]);
  expect(sandbox.state.syncs[0]?.jobId).toBe(job.id);
});

describe("invite", () => {
  test("ids -> 202 TaskStatus counting only unregistered identities, recorded", async () => {
    const r = await call("POST", "/identities/invite", { body: { ids: [fx.unregistered, fx.plain] } });
    expect(r.status).toBe(202);
    const task = r.json<Record<string, unknown>>();
    expect(task["type"]).toBe("QUEUED_TASK");
    expect(task["attributes"]).toEqual({ identityCount: 1 });
    expect(task["created"]).toBe("2026-01-05T09:00:00.000Z");
    expect(sandbox.state.invites).toEqual([
      { at: clock, ids: [fx.unregistered, fx.plain], uninvited: false, taskId: task["id"] },
    ]);
  });

  test("uninvited: true -> every unregistered identity, recorded with ids null", async () => {
    const r = await call("POST", "/identities/invite", { body: { uninvited: true } });
    const unregistered = [...sandbox.state.identities.values()].filter(
      (i) => i.identityStatus === "UNREGISTERED",
    ).length;
    expect(r.json<{ attributes: unknown }>().attributes).toEqual({ identityCount: unregistered });
    expect(sandbox.state.invites[0]).toMatchObject({ ids: null, uninvited: true });
  });

  test.each([
    [{}, '"ids" is required when "uninvited" is false'],
    [{ ids: [] }, '"ids" is required'],
    [{ ids: "abc" }, '"ids" must be an array of strings'],
    [{ ids: ["ffffffffffffffffffffffffffffffff"] }, 'names 1 unknown identity: "ffffffffffffffffffffffffffffffff"'],
    [{ uninvited: "yes" }, '"uninvited" must be a boolean'],
    ["{not json", "not valid JSON"],
    ["", "body is required"],
  ])("%j -> 400", async (body, text) => {
    const r = await call("POST", "/identities/invite", { body });
    expect(r.status).toBe(400);
    expect(messageOf(r)).toContain(text);
    expect(sandbox.state.invites).toEqual([]);
  });
});

describe("send verification", () => {
  test("-> 200 empty, recorded with via and sourceName", async () => {
    const r = await call("POST", `/identities/${fx.plain}/verification/account/send`, {
      body: { via: "LINK_PERSONAL", sourceName: "Active Directory" },
    });
    expect(r.status).toBe(200);
    expect(r.text).toBe("");
    expect(sandbox.state.verificationSends).toEqual([
      { at: clock, identityId: fx.plain, via: "LINK_PERSONAL", sourceName: "Active Directory" },
    ]);
  });

  test.each([{}, { via: "SMS" }, { via: "EMAIL_WORK", sourceName: 3 }])("%j -> 400", async (body) => {
    const r = await call("POST", `/identities/${fx.plain}/verification/account/send`, { body });
    expect(r.status).toBe(400);
    expect(messageOf(r)).toMatch(/"via"|"sourceName"/);
    expect(sandbox.state.verificationSends).toEqual([]);
  });
});

describe("process", () => {
  test("-> 202 TaskResultResponse, recorded", async () => {
    const r = await call("POST", "/identities/process", { body: { identityIds: [fx.processingError, fx.plain] } });
    expect(r.status).toBe(202);
    const body = r.json<{ type: string; id: string }>();
    expect(body.type).toBe("TASK_RESULT");
    expect(sandbox.state.processed).toEqual([
      { at: clock, identityIds: [fx.processingError, fx.plain], taskId: body.id },
    ]);
  });

  test("0 ids, 251 ids, unknown ids -> 400", async () => {
    const known = [...sandbox.state.identities.keys()];
    const tooMany = Array.from({ length: 251 }, (_, i) => known[i % known.length] as string);
    expect(messageOf(await call("POST", "/identities/process", { body: { identityIds: [] } }))).toContain(
      "1 to 250 ids, got 0",
    );
    expect(messageOf(await call("POST", "/identities/process", { body: { identityIds: tooMany } }))).toContain(
      "got 251",
    );
    expect(messageOf(await call("POST", "/identities/process", { body: { identityIds: ["x1", "x2"] } }))).toContain(
      '2 unknown identities: "x1", "x2"',
    );
    expect(sandbox.state.processed).toEqual([]);
  });
});

describe("the X-SailPoint-Experimental header", () => {
  const experimental: Array<[string, string, (f: Fixtures) => string, (f: Fixtures) => unknown]> = [
    ["sync", "POST", (f) => `/identities/${f.plain}/synchronize-attributes`, () => undefined],
    ["invite", "POST", () => "/identities/invite", () => ({ uninvited: true })],
    ["send", "POST", (f) => `/identities/${f.plain}/verification/account/send`, () => ({ via: "EMAIL_WORK" })],
    ["process", "POST", () => "/identities/process", (f) => ({ identityIds: [f.plain] })],
  ];
  test.each(experimental)(
    "%s without it -> 400 naming the header; with it -> accepted",
    async (_name, method, path, body) => {
      for (const value of ["", "false"]) {
        const r = await call(method, path(fx), { body: body(fx), headers: { "x-sailpoint-experimental": value } });
        expect(r.status).toBe(400);
        expect(messageOf(r)).toContain("X-SailPoint-Experimental header");
      }
      const ok = await call(method, path(fx), { body: body(fx), headers: { "x-sailpoint-experimental": "TRUE" } });
      expect([200, 202]).toContain(ok.status);
    },
  );

  test("the other seven operations do not need it", async () => {
    const bare = async (method: string, path: string): Promise<number> =>
      (await call(method, path, { headers: { "x-sailpoint-experimental": "" } })).status;
    const [assignment] = sandbox.state.roleAssignments.get(fx.withRoles) ?? [];
    expect(await bare("GET", "/identities")).toBe(200);
    expect(await bare("GET", `/identities/${fx.plain}`)).toBe(200);
    expect(await bare("GET", `/identities/${fx.owner}/ownership`)).toBe(200);
    expect(await bare("GET", `/identities/${fx.withRoles}/role-assignments`)).toBe(200);
    expect(await bare("GET", `/identities/${fx.withRoles}/role-assignments/${assignment?.id}`)).toBe(200);
    expect(await bare("POST", `/identities/${fx.manager}/reset`)).toBe(202);
    expect(await bare("DELETE", `/identities/${fx.plain}`)).toBe(204);
  });
});

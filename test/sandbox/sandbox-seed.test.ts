// Sandbox seeding: determinism, realistic shapes, fixtures, date formatting and speed.
import { describe, expect, test } from "vitest";
import { createSandbox, pickFixtures } from "../../src/sandbox/index.js";
import { computedDate, isoDate } from "../../src/sandbox/dates.js";

const snapshot = (seed: number): string => {
  const { state } = createSandbox({ identities: 300, seed });
  return JSON.stringify([
    [...state.identities],
    [...state.flags],
    [...state.roleAssignments],
    [...state.ownership],
    state.roles,
  ]);
};

describe("determinism", () => {
  test("same seed -> identical data; another seed -> different data", () => {
    expect(snapshot(42)).toBe(snapshot(42));
    expect(snapshot(42)).not.toBe(snapshot(43));
  });

  test("dates come from the seed, not the wall clock", () => {
    const a = createSandbox({ identities: 20, seed: 5, now: () => 0 });
    const b = createSandbox({ identities: 20, seed: 5, now: () => Date.UTC(2030, 0, 1) });
    expect([...a.state.identities.values()].map((i) => i.created)).toEqual(
      [...b.state.identities.values()].map((i) => i.created),
    );
  });
});

test("identities look like an ISC tenant's", () => {
  const { state } = createSandbox({ identities: 500 });
  const list = [...state.identities.values()];
  expect(list).toHaveLength(500);
  expect(new Set(list.map((i) => i.name)).size).toBe(500);
  for (const i of list) {
    expect(i.id).toMatch(/^[0-9a-f]{32}$/);
    expect(i.name).toMatch(/^[A-Z][a-z]+\.[A-Z][a-z]+\d*$/);
    expect(i.alias).toBe(i.name.toLowerCase());
    if (i.emailAddress !== null) expect(i.emailAddress).toBe(`${i.alias}@example.com`);
    expect(i.attributes["cloudStatus"]).toBe(i.identityStatus);
    expect(Date.parse(i.created)).toBeLessThanOrEqual(Date.parse(i.modified));
    expect(Date.parse(i.modified)).toBeLessThanOrEqual(Date.parse(i.lastRefresh));
    if (i.managerRef) expect(state.identities.get(i.managerRef.id)?.isManager).toBe(true);
    expect(i.lifecycleState === null).toBe(state.flags.get(i.id)?.correlated === false);
  }
  const statuses = new Set(list.map((i) => i.identityStatus));
  for (const s of ["ACTIVE", "UNREGISTERED", "DISABLED"]) expect(statuses).toContain(s);
  expect(new Set(list.map((i) => i.processingState))).toEqual(new Set(["OK", "ERROR", null]));
});

test("pickFixtures finds every trait, and each fixture really has it", () => {
  const { state } = createSandbox({ identities: 10, seed: 99 });
  const fx = pickFixtures(state);
  const get = (id: string) => state.identities.get(id);
  expect(state.flags.get(fx.protected)?.protected).toBe(true);
  expect(state.ownership.get(fx.owner)?.length).toBeGreaterThan(0);
  expect(state.flags.get(fx.owner)?.protected).toBe(false);
  expect(state.roleAssignments.get(fx.withRoles)?.length).toBeGreaterThanOrEqual(2);
  expect(get(fx.processingError)?.processingState).toBe("ERROR");
  expect(get(fx.unregistered)?.identityStatus).toBe("UNREGISTERED");
  expect(get(fx.manager)?.isManager).toBe(true);
  expect(state.flags.get(fx.uncorrelated)?.correlated).toBe(false);
  expect(get(fx.plain)).toMatchObject({ identityStatus: "ACTIVE", processingState: "OK", isManager: false });
  expect(new Set(Object.values(fx)).size).toBe(8);
  for (const seed of [1, 2, 3])
    expect(new Set(Object.values(pickFixtures(createSandbox({ identities: 10, seed }).state))).size).toBe(8);
  expect(() => pickFixtures(createSandbox({ identities: 0 }).state)).toThrow(/fixture "plain"/);
});

test("the fast date formatters match Date", () => {
  for (let k = 0; k < 5_000; k++) {
    const ms = Date.UTC(2000, 0, 1) + Math.floor(Math.random() * 40 * 365 * 86_400_000);
    expect(isoDate(ms)).toBe(new Date(ms).toISOString());
  }
  expect(computedDate(Date.UTC(2024, 1, 14, 10, 58, 42))).toBe("Wed Feb 14 10:58:42");
});

describe("request log limit", () => {
  test("keeps only the newest entries when a limit is set, and everything by default", async () => {
    const limited = createSandbox({ identities: 10, requestLogLimit: 3 });
    const unlimited = createSandbox({ identities: 10 });
    for (let i = 0; i < 5; i++) {
      await limited.handler(new Request(`http://127.0.0.1/v2025/identities?limit=${i}`));
      await unlimited.handler(new Request(`http://127.0.0.1/v2025/identities?limit=${i}`));
    }
    expect(limited.requests.map((r) => r.query)).toEqual(["?limit=2", "?limit=3", "?limit=4"]);
    expect(unlimited.requests).toHaveLength(5);
  });
});

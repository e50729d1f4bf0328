// The audit log file: one JSON line per non-read call with the fields, and no secret, token, code or email anywhere.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { createAuditLog } from "../../src/guard/audit.js";
import { ConfigError } from "../../src/core/errors.js";
import { pickFixtures, type Fixtures } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";

const SECRET = "known-client-secret-7f3a9c";
const file = join(mkdtempSync(join(tmpdir(), "isc-audit-")), "audit.jsonl");
let h: Harness;
let fx: Fixtures;
const outputs: CallToolResult[] = [];
let code = "";
/** The guard's and audit log's clock: one millisecond further at each reading, from a fixed start. */
const START = Date.parse("2026-03-01T09:00:00Z");
let ticks = 0;
const now = () => START + ticks++;

const call = async (tool: string, args: Record<string, unknown>) => {
  const res = await h.call(tool, args);
  outputs.push(res);
  return res;
};

beforeAll(async () => {
  h = await startHarness({
    now,
    sandbox: { identities: 60, clientSecret: SECRET },
    argv: ["--confirm", "auto", "--audit-log", file],
  });
  fx = pickFixtures(h.sandbox.state);
  await call("list_identities", { limit: 3 }); // a read: not audited
  await call("synchronize_attributes_for_identity", { identityId: fx.plain });
  const first = await call("send_identity_verification_account_token", { identityId: fx.plain, via: "EMAIL_WORK" });
  code = (first.structuredContent as { confirmationCode: string }).confirmationCode;
  await call("send_identity_verification_account_token", {
    identityId: fx.plain,
    via: "EMAIL_WORK",
    confirmationCode: code,
  });
  await call("send_identity_verification_account_token", {
    identityId: fx.plain,
    via: "EMAIL_WORK",
    confirmationCode: code,
  });
  await call("delete_identity", { identityId: fx.owner });
  h.sandbox.inject({ method: "POST", path: "/v2025/identities/process", status: 403 });
  await call("start_identity_processing", { identityIds: [fx.manager] });
});
afterAll(() => h.close());

describe("audit log", () => {
  it("writes one line per non-read call, with the fields the issue names", () => {
    const lines = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const common = { tenant: h.backend.isc.tenant, apiVersion: "v2025", era: "2025-11-25" };
    expect(lines).toEqual([
      {
        ...common,
        time: expect.any(String),
        tool: "synchronize_attributes_for_identity",
        targetIds: [fx.plain],
        outcome: "executed",
        confirmation: "none-needed",
        httpStatus: 202,
        taskId: h.sandbox.state.syncs[0]!.jobId,
      },
      {
        ...common,
        time: expect.any(String),
        tool: "send_identity_verification_account_token",
        targetIds: [fx.plain],
        outcome: "refused",
        confirmation: "code",
        reason: "confirmation-required",
      },
      {
        ...common,
        time: expect.any(String),
        tool: "send_identity_verification_account_token",
        targetIds: [fx.plain],
        outcome: "executed",
        confirmation: "code",
        httpStatus: 200,
      },
      {
        ...common,
        time: expect.any(String),
        tool: "send_identity_verification_account_token",
        targetIds: [fx.plain],
        outcome: "refused",
        confirmation: "code",
        reason: "code-used",
      },
      {
        ...common,
        time: expect.any(String),
        tool: "delete_identity",
        targetIds: [fx.owner],
        outcome: "refused",
        confirmation: "code",
        reason: "blocked",
      },
      {
        ...common,
        time: expect.any(String),
        tool: "start_identity_processing",
        targetIds: [fx.manager],
        outcome: "failed",
        confirmation: "none-needed",
        reason: "http",
        httpStatus: 403,
        trackingId: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    ]);
    // Stamped on the injected clock when each call ran: strictly in order, none before it started, none past its last reading.
    const times = lines.map((line) => Date.parse(line.time as string));
    expect(new Set(times).size).toBe(times.length);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((t) => t >= START && t < START + ticks)).toBe(true);
    expect(common.tenant).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("leaks no client secret, token, confirmation code or email: not in the file, not in any output", () => {
    const tokens = new Set(
      h.sandbox.requests
        .map((r) => r.headers.authorization?.replace(/^Bearer /, ""))
        .filter((t): t is string => Boolean(t)),
    );
    expect(tokens.size).toBeGreaterThan(0);
    const audit = readFileSync(file, "utf8");
    const email = h.sandbox.state.identities.get(fx.plain)!.emailAddress!;
    expect(audit).not.toContain(email);
    expect(audit).not.toContain("@");
    expect(audit).not.toContain(code);
    // The code appears only in the one result that hands it to the model.
    const withCode = outputs.filter((o) => JSON.stringify(o).includes(code));
    expect(withCode).toHaveLength(1);
    expect((withCode[0]!.structuredContent as { status: string }).status).toBe("confirmation_required");
    for (const haystack of [audit, ...outputs.map((o) => JSON.stringify(o))]) {
      expect(haystack).not.toContain(SECRET);
      for (const token of tokens) expect(haystack).not.toContain(token);
    }
    expect(textOf(outputs.at(-1)!)).toMatch(/HTTP 403/);
  });

  it("fails at start-up on a file it cannot write", () => {
    expect(() => createAuditLog({ file: "/nonexistent-dir/audit.jsonl" })).toThrow(ConfigError);
  });

  it("goes to the given writer without a file, and stops after close", async () => {
    const lines: string[] = [];
    const log = createAuditLog({ write: (l) => lines.push(l), now: () => Date.parse("2026-01-01T00:00:00Z") });
    const entry = {
      tool: "reset_identity",
      tenant: "acme",
      apiVersion: "v2025",
      targetIds: ["a"],
      outcome: "executed" as const,
      confirmation: "code" as const,
    };
    log.record(entry);
    await log.close();
    log.record(entry);
    expect(lines).toEqual([
      `{"time":"2026-01-01T00:00:00.000Z","tool":"reset_identity","tenant":"acme","apiVersion":"v2025","targetIds":["a"],"outcome":"executed","confirmation":"code"}\n`,
    ]);
  });
});

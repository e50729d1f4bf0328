// Two replicas on one real Redis: wrong names typed on one page, alternately through A and B, count toward one limit of five.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { MAX_WRONG_NAMES } from "../../src/guard/page/handler.js";
import { serveTenant, type ServedTenant } from "../support/cli-process.js";
import { deletable } from "../support/confirm-e2e.js";
import { writeRequests } from "../support/guard-helpers.js";
import { MODERN } from "../support/modern-harness.js";
import { answer } from "../support/page-fixtures.js";
import { describeWithRedis, startRedisServer, type RedisServer } from "../support/redis-server.js";
import { startReplica, type Replica, untilTracking } from "../support/replica.js";

type Raw = Record<string, unknown> & {
  resultType?: string;
  requestState?: string;
  inputRequests?: Record<string, { params?: { mode?: string; url?: string } }>;
  isError?: boolean;
  content?: Array<{ type: string; text?: string }>;
};
const text = (r: Raw) => (r.content ?? []).map((c) => c.text ?? "").join("\n");

describeWithRedis("wrong names typed through two replicas", () => {
  let redis: RedisServer;
  let tenant: ServedTenant;
  let a: Replica;
  let b: Replica;
  const clients: ModernClient[] = [];
  beforeAll(async () => {
    [redis, tenant] = await Promise.all([startRedisServer(), serveTenant({ identities: 20 })]);
    const env = {
      baseUrl: tenant.served.url,
      clientId: tenant.sandbox.clientId,
      clientSecret: tenant.sandbox.clientSecret,
    };
    const args = [
      "--redis-url",
      redis.url,
      "--confirm",
      "strict",
      "--confirm-via",
      "url",
      "--confirm-wait",
      "60",
      "--rate-limit",
      "0",
    ];
    [a, b] = (await Promise.all([startReplica(env, args), startReplica(env, args)])) as [Replica, Replica];
    // The retry round's requestState is spent in Redis: the flow starts once both replicas track it.
    await untilTracking(a, b);
  }, 30_000);
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([tenant?.served.close(), redis?.stop()]);
  });

  /** One tools/call round on `replica` through a 2026-07-28 client declaring URL elicitation. */
  const callOn = async (replica: Replica, params: Record<string, unknown>) => {
    const client = new ModernClient(
      { name: "replicas-wrong-names", version: "2.0.0" },
      { capabilities: { elicitation: { url: {} } }, versionNegotiation: { mode: { pin: MODERN } } },
    );
    clients.push(client);
    await client.connect(new ModernTransport(new URL(replica.url)));
    return (await client.request(
      { method: "tools/call", params } as never,
      { allowInputRequired: true, timeout: 120_000 } as never,
    )) as Raw;
  };

  it("the fifth wrong name in total cancels the page, and the delete never reaches the tenant", async () => {
    const [id] = deletable(tenant.sandbox.state, 1) as [string];
    const name = tenant.sandbox.state.identities.get(id)!.name;
    tenant.sandbox.clearRequests();
    const first = await callOn(a, { name: "delete_identity", arguments: { identityId: id } });
    expect(first.resultType).toBe("input_required");
    const [key, ask] = Object.entries(first.inputRequests ?? {})[0]!;
    expect(ask.params?.mode).toBe("url");
    const { pathname } = new URL(ask.params!.url!);

    // Wrong names alternately through A and B (a load balancer may send each post anywhere): one count for the page.
    const via = [a, b];
    for (let i = 1; i < MAX_WRONG_NAMES; i++) {
      const wrong = await answer(`${via[i % 2]!.origin}${pathname}`, { answer: "confirm", name: "Not The Name" });
      expect(wrong.status).toBe(422);
      expect(wrong.body).toContain(`try ${MAX_WRONG_NAMES - i} more time`);
    }
    const last = await answer(`${via[MAX_WRONG_NAMES % 2]!.origin}${pathname}`, {
      answer: "confirm",
      name: "Still Not It",
    });
    expect(last.status).toBe(422);
    expect(last.body).toContain(`typed wrong ${MAX_WRONG_NAMES} times, so this confirmation was cancelled`);
    // The right name, now, on either replica: the confirmation is over.
    for (const replica of via) {
      const late = await answer(`${replica.origin}${pathname}`, { answer: "confirm", name });
      expect(late.status).toBe(409);
      expect(late.body).toContain("already answered: cancelled");
    }

    const retry = await callOn(a, {
      name: "delete_identity",
      arguments: { identityId: id },
      requestState: first.requestState,
      inputResponses: { [key]: { action: "accept" } },
    });
    expect(retry.isError).toBe(true);
    expect(text(retry)).toMatch(/^delete_identity refused: nothing was changed/);
    expect(text(retry)).toContain(`typed wrong ${MAX_WRONG_NAMES} times`);
    expect(tenant.sandbox.state.deleted).not.toContain(id);
    expect(writeRequests(tenant.sandbox)).toEqual([]);
  }, 60_000);
});

// /healthz and /readyz: whether the process answers and whether the shared state it was configured with is reachable.
import type { ServerResponse } from "node:http";
import { CLOCK_SKEW_MARGIN_MS } from "../../guard/store-redis.js";
import type { RedisLink } from "../../isc/redis.js";
import { PACKAGE } from "../../core/version.js";
import { replyJson } from "./reply.js";

export type HealthSource = Pick<RedisLink, "ping" | "settled" | "dataSince">;

/** Live while the process answers; ready only while Redis (with --redis-url) is reachable. Never touches ISC. */
export async function replyHealth(res: ServerResponse, probe: "live" | "ready", redis?: HealthSource): Promise<void> {
  const reach = redis ? ((await redis.ping()) ? "reachable" : "unreachable") : undefined;
  const ready = reach !== "unreachable";
  replyJson(res, probe === "ready" && !ready ? 503 : 200, {
    status: probe === "ready" ? (ready ? "ready" : "not ready") : "ok",
    name: PACKAGE.name,
    version: PACKAGE.version,
    ...(reach ? { redis: reach } : {}),
    ...(reach === "reachable" ? await trackedFrom(redis!) : {}),
  });
}

/**
 * From when this replica holds Redis to every spent confirmation: codes and request states issued earlier (before Redis
 * last started or was last reached, plus the clock-skew margin) are refused as untracked. Said once Redis told its start.
 */
async function trackedFrom(redis: HealthSource): Promise<{ confirmationsTrackedFrom?: string }> {
  // Only the start is needed here: a probe every few seconds must not ask a Redis that would not say its policy again.
  await redis.settled();
  const since = redis.dataSince;
  return since === undefined ? {} : { confirmationsTrackedFrom: new Date(since + CLOCK_SKEW_MARGIN_MS).toISOString() };
}

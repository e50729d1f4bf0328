// --redis-url: redis:// and rediss:// only, and its password never shows in `config`, errors or logs.
import { describe, expect, it } from "vitest";
import { runConfigCommand } from "../../src/cli/config.js";
import { resolveConfig } from "../../src/config/resolve.js";
import { maskRedisUrl } from "../../src/config/redis-url.js";
import { createLogger } from "../../src/core/log.js";
import { connectRedis } from "../../src/isc/redis.js";
import { cleanEnv, spawnCli, TSC_CLI } from "../support/cli-process.js";
import { until } from "../support/until.js";

/** Starts the tsc-built CLI with Node's module loader tracing on, and returns its stderr once it serves. */
async function traceStart(args: string[]): Promise<string> {
  const cli = spawnCli(["--sandbox", ...args], { ...cleanEnv(), NODE_DEBUG: "module" }, undefined, TSC_CLI);
  try {
    await until(
      () => /serving MCP on stdio/.test(cli.stderr()) || cli.child.exitCode !== null,
      "the CLI's start line",
      2_400,
      25,
    );
  } finally {
    cli.child.kill("SIGTERM");
    await cli.exited;
  }
  return cli.stderr();
}

describe("--redis-url", () => {
  it("accepts redis:// and rediss:// (TLS) from the flag or ISC_MCP_REDIS_URL", () => {
    expect(resolveConfig(["--sandbox", "--redis-url", "redis://127.0.0.1:6379"], {}).config.redisUrl).toBe(
      "redis://127.0.0.1:6379",
    );
    const env = resolveConfig(["--sandbox"], { ISC_MCP_REDIS_URL: "rediss://app:pw@cache.example.com:6380/3" });
    expect(env.config.redisUrl).toBe("rediss://app:pw@cache.example.com:6380/3");
    expect(env.sources.redisUrl).toBe("env");
  });

  it("refuses other schemes and junk without echoing a password", () => {
    expect(() => resolveConfig(["--sandbox", "--redis-url", "http://cache:6379"], {})).toThrow(
      /--redis-url must start with redis:\/\/ or rediss:\/\/ \(TLS\), got http:\/\//,
    );
    expect(() => resolveConfig(["--sandbox", "--redis-url", "redis://u:s3cret-pw@cache/x"], {})).toThrow(
      /database number.*redis:\/\/u:\*\*\*@cache\/x/,
    );
    try {
      resolveConfig(["--sandbox"], { ISC_MCP_REDIS_URL: "not a url s3cret-pw" });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/^ISC_MCP_REDIS_URL is not a URL/);
      expect((err as Error).message).not.toContain("s3cret-pw");
    }
  });

  it("masks the password, with or without a user name", () => {
    expect(maskRedisUrl("redis://app:s3cret-pw@cache:6379/0")).toBe("redis://app:***@cache:6379/0");
    expect(maskRedisUrl("rediss://:s3cret-pw@cache:6380")).toBe("rediss://:***@cache:6380");
    expect(maskRedisUrl("redis://cache:6379")).toBe("redis://cache:6379");
  });

  it("shows in `config` with the password masked", async () => {
    const lines: string[] = [];
    const env = { ISC_MCP_REDIS_URL: "redis://app:s3cret-pw@cache:6379/0" };
    await runConfigCommand(resolveConfig(["config", "--sandbox"], env), { out: (l) => lines.push(l) });
    const text = lines.join("\n");
    expect(text).not.toContain("s3cret-pw");
    expect(lines.find((l) => l.includes("--redis-url"))).toMatch(
      /redis:\/\/app:\*\*\*@cache:6379\/0\s+from ISC_MCP_REDIS_URL/,
    );
  });

  it("loads no Redis code at all without it (and does with it, so this test can fail)", async () => {
    const without = await traceStart([]);
    expect(without).toMatch(/serving MCP on stdio/);
    expect(without).not.toMatch(/ioredis|RateLimiterRedis/);
    const withIt = await traceStart(["--redis-url", "redis://127.0.0.1:1"]);
    expect(withIt).toMatch(/serving MCP on stdio/);
    expect(withIt).toMatch(/node_modules\/ioredis\//);
    // Two starts of the tsc output with every module load traced to stderr: bounded, but long on a loaded machine.
  }, 150_000);

  it("keeps the password out of the log when Redis cannot be reached", async () => {
    const lines: string[] = [];
    const log = createLogger("debug", (l) => lines.push(l));
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const link = await connectRedis({ url: "redis://app:s3cret-pw@127.0.0.1:1", log, startupWaitMs: 300 });
    expect(link.reachable).toBe(false);
    expect(await link.ping()).toBe(false);
    await link.close();
    const text = lines.join("");
    expect(text).toMatch(/warn: Redis at redis:\/\/app:\*\*\*@127\.0\.0\.1:1 is unreachable/);
    expect(text).not.toContain("s3cret-pw");
  });
});

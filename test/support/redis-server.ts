// Starts Debian's redis-server on a free loopback port with no persistence, for tests of the shared store; no mocks.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { describe, it } from "vitest";

/** Path of redis-server, or undefined when it is not installed. */
export const REDIS_SERVER: string | undefined = (() => {
  const found = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : undefined;
})();

/**
 * `describe` for tests that need a real Redis: without redis-server they skip with one line,
 * except under CI, where a missing redis-server fails the run (.ci/run installs it).
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (REDIS_SERVER) {
    describe(name, body);
  } else if (process.env.CI) {
    describe(name, () =>
      it("has redis-server", () => {
        throw new Error("redis-server is not installed; .ci/run installs it with apt-get install -y redis-server");
      }),
    );
  } else {
    process.stderr.write(`skipping "${name}": redis-server is not installed (apt-get install redis-server)\n`);
    describe.skip(name, body);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  url: string;
  port: number;
  /** Stops it (SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty (nothing was persisted). */
  start(): Promise<void>;
}

/** `args`: more redis-server options, e.g. `["--maxmemory-policy", "allkeys-lru"]`. */
export async function startRedisServer(
  options: { password?: string; args?: readonly string[] } = {},
): Promise<RedisServer> {
  if (!REDIS_SERVER) throw new Error("redis-server is not installed");
  const port = await freePort();
  let child: ChildProcess | undefined;
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--loglevel",
    "warning",
    ...(options.password ? ["--requirepass", options.password] : []),
    ...(options.args ?? []),
  ];
  const start = async () => {
    const proc = spawn(REDIS_SERVER!, args, { stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    let out = "";
    proc.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    proc.stderr!.on("data", (c: Buffer) => (out += c.toString()));
    // 400 looks 25 ms apart (at least 10 s), counted rather than timed, so a loaded machine gets as many.
    for (let looks = 0; !(await answers(port)); looks++) {
      if (proc.exitCode !== null || looks >= 400) throw new Error(`redis-server did not start on port ${port}: ${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  await start();
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : "";
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    start,
    async stop() {
      const proc = child;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await exited;
    },
  };
}

/** True when something accepts a TCP connection on the port. */
async function answers(port: number): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

// The shipped bundle differs from the tsc output: tools/list made at build time, no ajv (both checked over stdio), and
// ioredis and yaml in files of their own beside cli.cjs (each loaded through the bundle here).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { listedTool } from "../../src/mcp/listed-tools.js";
import { TOOLS } from "../../tools/index.js";
import { cleanEnv, spawnCli, waitForMcpUrl } from "../support/cli-process.js";
import { describeWithRedis, startRedisServer } from "../support/redis-server.js";

const BUNDLE = fileURLToPath(new URL("../../dist/bundle/src/cli/main.js", import.meta.url));

let answer: (message: string) => ElicitResult = () => ({ action: "cancel" });
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

async function startBundle(): Promise<Client> {
  if (!existsSync(BUNDLE)) throw new Error("dist/bundle is missing: run `npm run build` (npm test does it for you)");
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BUNDLE, "--sandbox"],
    env: { ...cleanEnv(), ISC_MCP_CONFIRM_FAST_ANSWER: "0" },
    stderr: "pipe",
  }); // its scripted human answers at once
  client = new Client({ name: "bundle-test", version: "1.0.0" }, { capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler(ElicitRequestSchema, (req) => answer(req.params.message));
  await client.connect(transport);
  return client;
}

/** The first identity of the sandbox with its name, found through the server itself. */
async function someone(c: Client): Promise<{ id: string; name: string }> {
  const res = (await c.callTool({ name: "list_identities", arguments: { maxItems: 1 } })) as CallToolResult;
  const [first] = (res.structuredContent as { items: Array<{ id: string; name: string }> }).items;
  if (!first) throw new Error(`no identity listed: ${JSON.stringify(res.content)}`);
  return first;
}

describe("the shipped bundle", () => {
  it("lists exactly the tools/list entries the zod schemas convert to (the build-time copy is not stale)", async () => {
    const c = await startBundle();
    const { tools } = await c.listTools();
    expect(tools).toEqual(TOOLS.map((tool) => JSON.parse(JSON.stringify(listedTool(tool))) as unknown));
  });

  it("checks an elicitation answer without ajv: a typed name confirms, a number instead of the name is refused as the wrong type", async () => {
    const c = await startBundle();
    const who = await someone(c);
    answer = () => ({ action: "accept", content: { name: 42 } });
    const wrongType = (await c.callTool({
      name: "reset_identity",
      arguments: { identityId: who.id },
    })) as CallToolResult;
    expect((wrongType.structuredContent as { status?: string } | undefined)?.status).not.toBe("executed");
    expect(JSON.stringify(wrongType.content)).toContain("was of the wrong type (`name` should be text, got a number)");
    answer = () => ({ action: "accept", content: { name: who.name } });
    const confirmed = (await c.callTool({
      name: "reset_identity",
      arguments: { identityId: who.id },
    })) as CallToolResult;
    expect(confirmed.isError, JSON.stringify(confirmed.content)).toBeFalsy();
    expect((confirmed.structuredContent as { status: string }).status).toBe("executed");
  });
});

describe("what the shipped bundle leaves out", () => {
  it("carries none of ajv, which the SDK's server package would load at every start (scripts/bundle.ts stubs its shims)", () => {
    const cli = readFileSync(join(dirname(BUNDLE), "cli.cjs"), "utf8");
    // keepNames keeps class names: ajv's own classes and its formats plugin are what the SDK's Node shim pulls in.
    expect(cli.match(/\b(Ajv2020|AjvJsonSchemaValidator|ajv-formats)\b/g) ?? []).toEqual([]);
    // The stub stands in where the SDK would make its default validator, and says why it cannot.
    expect(cli).toContain("ajv is not bundled into the server");
  });

  it("holds no character above U+00FF, so node reads it into a one-byte string (a wider one doubles the 800 KB and decodes it the slow way at every start)", () => {
    const cli = readFileSync(join(dirname(BUNDLE), "cli.cjs"), "utf8");
    expect(cli.match(/[^\x00-\xff]/g) ?? []).toEqual([]);
  });

  it("carries none of the OpenTelemetry SDK, which lives in vendor/otel-sdk.cjs beside it (loaded only with telemetry on)", () => {
    const cli = readFileSync(join(dirname(BUNDLE), "cli.cjs"), "utf8");
    expect(
      cli.match(
        /\b(NodeTracerProvider|MeterProvider|PeriodicExportingMetricReader|OTLPTraceExporter|PrometheusExporter|ProxyTracerProvider)\b/g,
      ) ?? [],
    ).toEqual([]);
    const sdk = readFileSync(join(dirname(BUNDLE), "vendor", "otel-sdk.cjs"), "utf8");
    expect(sdk).toContain("NodeTracerProvider");
  });
});

describe("what a start of the shipped bundle loads", () => {
  /** Starts the bundle with a module-list recorder preloaded, runs `session`, and returns what the process loaded. */
  async function loadedBy(
    args: string[],
    env: Record<string, string>,
    session: (c: Client) => Promise<void>,
  ): Promise<{ builtins: string[]; files: string[]; compiled: number }> {
    const out = join(mkdtempSync(join(tmpdir(), "isc-loaded-")), "loaded.json");
    try {
      const preload = fileURLToPath(new URL("../support/loaded-modules.cjs", import.meta.url));
      const c = new Client(
        { name: "loaded-modules-test", version: "1.0.0" },
        { capabilities: { elicitation: { form: {} } } },
      );
      await c.connect(
        new StdioClientTransport({
          command: process.execPath,
          args: ["-r", preload, BUNDLE, ...args],
          env: { ...cleanEnv(), ...env, ISC_TEST_LOADED_OUT: out },
          stderr: "pipe",
        }),
      );
      expect((await c.listTools()).tools.length).toBe(TOOLS.length);
      await session(c);
      await c.close();
      // The process writes the list at its exit, which may come a little after the client let go (telemetry flushes first).
      for (let i = 0; i < 200 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 50));
      return JSON.parse(readFileSync(out, "utf8")) as { builtins: string[]; files: string[]; compiled: number };
    } finally {
      rmSync(dirname(out), { recursive: true, force: true });
    }
  }
  it("a stdio start with a tenant answers initialize and tools/list without a vendored library, node:http or node:child_process (the confirmation pages' listener and browser opener load them when a page first opens)", async () => {
    // A tenant that is never asked: a start makes no ISC request.
    const loaded = await loadedBy(
      [],
      { SAIL_BASE_URL: "http://127.0.0.1:9", SAIL_CLIENT_ID: "id", SAIL_CLIENT_SECRET: "secret" },
      async () => {},
    );
    // The preload sees the process: the entry compiled the CLI with node:vm, and the CLI read its stdin stream.
    expect(loaded.builtins).toEqual(expect.arrayContaining(["vm", "stream"]));
    expect(loaded.files.filter((f) => f.includes(`${join("cli", "vendor")}`))).toEqual([]);
    // About 3 and 1.5 ms of CPU a start (node:http brings its client and agent too), for what only a confirmation page uses.
    expect(loaded.builtins.filter((m) => ["http", "_http_server", "child_process"].includes(m))).toEqual([]);
  });

  it("loads the OpenTelemetry SDK only when an OTEL_* variable turns telemetry on: off, a tool call runs without it; on, the same call loads it", async () => {
    const call = async (c: Client) => {
      const res = (await c.callTool({ name: "list_identities", arguments: { limit: 1 } })) as CallToolResult;
      expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
    };
    const sdk = (files: string[]) => files.filter((f) => f.endsWith(join("cli", "vendor", "otel-sdk.cjs")));
    const off = await loadedBy(["--sandbox"], {}, call);
    expect(sdk(off.files)).toEqual([]);
    // An endpoint nobody listens on: the exporter's failures are its own; the call is the same.
    const on = await loadedBy(
      ["--sandbox"],
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9", OTEL_METRIC_EXPORT_INTERVAL: "600000" },
      call,
    );
    expect(sdk(on.files)).toHaveLength(1);
  }, 60_000);

  it("starts as a CommonJS script, as the package.json beside it says: node runs no ES module job for it (an ES module entry costs every start ~4 ms)", async () => {
    const loaded = await loadedBy(
      [],
      { SAIL_BASE_URL: "http://127.0.0.1:9", SAIL_CLIENT_ID: "id", SAIL_CLIENT_SECRET: "secret" },
      async () => {},
    );
    // What only an ES module entry runs (createRequire alone loads the loader's own file, which costs nothing to speak of).
    expect(loaded.builtins).toEqual(expect.arrayContaining(["vm"]));
    expect(loaded.builtins.filter((m) => /^internal\/modules\/esm\/(module_job|translators|resolve)$/.test(m))).toEqual(
      [],
    );
    expect(JSON.parse(readFileSync(join(dirname(BUNDLE), "package.json"), "utf8"))).toEqual({ type: "commonjs" });
  });

  it("parses with zod compiling no parser of its own (src/cli/boot/zod-jitless.ts runs before any schema is made), through a tool call too", async () => {
    const loaded = await loadedBy(["--sandbox"], {}, async (c) => {
      const res = (await c.callTool({ name: "list_identities", arguments: { limit: 2 } })) as CallToolResult;
      expect(res.isError, JSON.stringify(res.content)).toBeFalsy();
      expect((res.structuredContent as { items: unknown[] }).items).toHaveLength(2);
    });
    expect(loaded.compiled).toBe(0);
  });
});

describe("the shipped bundle's vendored libraries", () => {
  it("reads the SailPoint CLI's config.yaml with the vendored yaml", () => {
    const home = mkdtempSync(join(tmpdir(), "isc-bundle-home-"));
    try {
      mkdirSync(join(home, ".sailpoint"));
      writeFileSync(
        join(home, ".sailpoint", "config.yaml"),
        "activeenvironment: prod\nenvironments:\n  prod:\n    baseurl: https://acme.api.identitynow.com\n",
      );
      const run = spawnSync(process.execPath, [BUNDLE, "config"], {
        env: { ...cleanEnv(), HOME: home },
        encoding: "utf8",
      });
      expect(run.stdout).toMatch(
        /--base-url\s+https:\/\/acme\.api\.identitynow\.com\s+from active environment "prod" of .*config\.yaml/,
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describeWithRedis("the shipped bundle on Redis", () => {
  it("connects with the vendored ioredis: /healthz reports Redis reachable", async () => {
    const redis = await startRedisServer();
    const cli = spawnCli(
      ["--http", "--port", "0", "--stateless", "--redis-url", redis.url, "--sandbox"],
      { ...cleanEnv(), ISC_MCP_CONFIRM_KEY: "bundle-test-confirm-key-0123456789" },
      undefined,
      BUNDLE,
    );
    try {
      const url = await waitForMcpUrl(cli);
      const health = await fetch(new URL("/healthz", url));
      expect(await health.json()).toMatchObject({ status: "ok", redis: "reachable" });
    } finally {
      cli.child.kill("SIGTERM");
      await redis.stop();
    }
  }, 30_000);
});

// Config sources SailPoint users already have (./config.json, ~/.sailpoint/config.yaml, --tenant, --env), their precedence, and HTTP settings.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfigFiles, type ConfigFiles } from "../../src/config/files.js";
import { resolveConfig } from "../../src/config/resolve.js";

const YAML = `activeenvironment: acme
authtype: pat
environments:
    acme:
        baseurl: https://acme.api.identitynow.com
        tenanturl: https://acme.identitynow.com
    acme-sb:
        baseurl: https://acme-sb.api.identitynow.com
`;
const JSON_FILE = JSON.stringify({
  BaseURL: "https://json.api.identitynow.com",
  ClientId: "json-id",
  ClientSecret: "json-secret",
});

function temp(files: { json?: string; yaml?: string }): { cwd: string; home: string } {
  const root = mkdtempSync(join(tmpdir(), "isc-cfg-"));
  const cwd = join(root, "project");
  const home = join(root, "home");
  mkdirSync(cwd, { recursive: true });
  mkdirSync(join(home, ".sailpoint"), { recursive: true });
  if (files.json !== undefined) writeFileSync(join(cwd, "config.json"), files.json);
  if (files.yaml !== undefined) writeFileSync(join(home, ".sailpoint", "config.yaml"), files.yaml);
  return { cwd, home };
}

const both = (): Promise<ConfigFiles> => loadConfigFiles(temp({ json: JSON_FILE, yaml: YAML }));

describe("loadConfigFiles", () => {
  it("reads the SDK's config.json and the CLI's config.yaml from the given folders", async () => {
    const where = temp({ json: JSON_FILE, yaml: YAML });
    const files = await loadConfigFiles(where);
    expect(files.sdkJson).toEqual({
      path: join(where.cwd, "config.json"),
      baseUrl: "https://json.api.identitynow.com",
      clientId: "json-id",
      clientSecret: "json-secret",
    });
    expect(files.cliYaml?.activeEnvironment).toBe("acme");
    expect(files.cliYaml?.environments["acme-sb"]).toEqual({ baseUrl: "https://acme-sb.api.identitynow.com" });
    expect(files.problems).toBeUndefined();
  });

  it("is empty when neither file exists, and reports a broken file instead of throwing", async () => {
    expect(await loadConfigFiles(temp({}))).toEqual({});
    const broken = await loadConfigFiles(temp({ json: "{ nope" }));
    expect(broken.problems?.[0]).toMatch(/config\.json could not be read/);
  });

  // Secrets never reach a log: JSON's and YAML's own messages quote the text around the fault, often the secret.
  it("says where a file is broken without quoting it", async () => {
    const pasted = await loadConfigFiles(
      temp({
        json: '{"BaseURL":"https://acme.api.identitynow.com","ClientSecret": \u201cREALSECRETvalue1234567\u201d}',
      }),
    );
    expect(pasted.problems?.[0]).toMatch(/config\.json could not be read \(not valid JSON; it has curly quotes/);
    expect(pasted.problems?.[0]).not.toMatch(/REALSECRE|tSecret/);
    const comma = await loadConfigFiles(temp({ json: '{\n  "ClientSecret": "s3cr3t-value",\n}' }));
    expect(comma.problems?.[0]).toMatch(/could not be read \(not valid JSON at line 3, column 1\)/);
    expect(comma.problems?.[0]).not.toContain("s3cr3t");
    const yaml = await loadConfigFiles(temp({ yaml: "activeenvironment: acme\nclientsecret: s3cr3t-value: nested\n" }));
    expect(yaml.problems?.[0]).toMatch(
      /config\.yaml could not be read \(not valid YAML at line 2, column \d+: [A-Z_]+\)/,
    );
    expect(yaml.problems?.[0]).not.toContain("s3cr3t");
  });
});

describe("resolveConfig with config files", () => {
  it("takes everything from ./config.json when nothing else is set", async () => {
    const { config, sources, notes } = resolveConfig([], {}, await both());
    expect(config.baseUrl).toBe("https://json.api.identitynow.com");
    expect(config.clientId).toBe("json-id");
    expect(config.clientSecret).toBe("json-secret");
    expect(sources.baseUrl).toBe("config.json");
    expect(notes.clientSecret).toMatch(/config\.json$/);
  });

  it("ranks flags > environment > --env's config.yaml entry > config.json > config.yaml's active environment", async () => {
    const files = await both();
    const env = {
      SAIL_BASE_URL: "https://env.api.identitynow.com",
      SAIL_CLIENT_ID: "env-id",
      SAIL_CLIENT_SECRET: "env-secret",
    };
    expect(resolveConfig(["--base-url", "https://flag.api.identitynow.com"], env, files).config.baseUrl).toBe(
      "https://flag.api.identitynow.com",
    );
    expect(resolveConfig(["--tenant", "flagged"], env, files).config.baseUrl).toBe(
      "https://flagged.api.identitynow.com",
    );
    const fromEnv = resolveConfig(["--env", "acme-sb"], env, files);
    expect(fromEnv.config.baseUrl).toBe("https://env.api.identitynow.com");
    expect(fromEnv.config.clientSecret).toBe("env-secret");
    expect(fromEnv.sources.clientSecret).toBe("env");
    const picked = resolveConfig(["--env", "acme-sb"], {}, files);
    expect(picked.config.baseUrl).toBe("https://acme-sb.api.identitynow.com");
    expect(picked.notes.baseUrl).toMatch(/^environment "acme-sb" of .*config\.yaml$/);
    expect(resolveConfig([], {}, files).config.baseUrl).toBe("https://json.api.identitynow.com");
    const yamlOnly = resolveConfig([], { SAIL_CLIENT_ID: "i", SAIL_CLIENT_SECRET: "s" }, { cliYaml: files.cliYaml! });
    expect(yamlOnly.config.baseUrl).toBe("https://acme.api.identitynow.com");
    expect(yamlOnly.notes.baseUrl).toMatch(/^active environment "acme"/);
  });

  it("never takes a secret from config.yaml or a flag", async () => {
    const yamlWithSecret = await loadConfigFiles(
      temp({ yaml: `${YAML}        pat:\n            clientid: y\n            clientsecret: leaked\n` }),
    );
    expect(() => resolveConfig([], { SAIL_CLIENT_ID: "i" }, yamlWithSecret)).toThrow(/^Missing SAIL_CLIENT_SECRET/);
    expect(() => resolveConfig(["--client-secret", "x"], {})).toThrow(/Set SAIL_CLIENT_SECRET instead/);
  });

  it("expands --tenant / ISC_MCP_TENANT and refuses two different tenants at one level", () => {
    const creds = { SAIL_CLIENT_ID: "i", SAIL_CLIENT_SECRET: "s" };
    expect(resolveConfig([], { ...creds, ISC_MCP_TENANT: "Acme" }).config.baseUrl).toBe(
      "https://acme.api.identitynow.com",
    );
    expect(
      resolveConfig(["--tenant", "acme"], { ...creds, SAIL_BASE_URL: "https://other.api.identitynow.com" }).sources
        .baseUrl,
    ).toBe("flag");
    expect(() => resolveConfig(["--tenant", "acme", "--base-url", "https://other.api.identitynow.com"], creds)).toThrow(
      /--base-url and --tenant name different tenants/,
    );
    expect(() =>
      resolveConfig([], { ...creds, SAIL_BASE_URL: "https://x.api.identitynow.com", ISC_MCP_TENANT: "acme" }),
    ).toThrow(/SAIL_BASE_URL and ISC_MCP_TENANT/);
    expect(
      resolveConfig(["--tenant", "acme", "--base-url", "https://acme.api.identitynow.com/"], creds).config.baseUrl,
    ).toBe("https://acme.api.identitynow.com");
    expect(() => resolveConfig(["--tenant", "acme.example.com"], creds)).toThrow(/use --base-url/);
  });

  it("explains an unknown --env and a missing config.yaml", async () => {
    const creds = { SAIL_CLIENT_ID: "i", SAIL_CLIENT_SECRET: "s" };
    const files = await both();
    expect(() => resolveConfig(["--env", "prod"], creds, files)).toThrow(
      /has no environment "prod" \(it has acme, acme-sb\)/,
    );
    expect(() => resolveConfig(["--env", "prod"], creds, {})).toThrow(/no SailPoint CLI config/);
  });

  it("names the file a bad base URL came from", async () => {
    const files = await loadConfigFiles(
      temp({ json: JSON.stringify({ BaseURL: "http://acme.example.com", ClientId: "i", ClientSecret: "s" }) }),
    );
    expect(() => resolveConfig([], {}, files)).toThrow(/^The base URL \(from \S*config\.json\) must use https/);
  });

  it("reports a broken file only when a value was needed from it", async () => {
    const broken = await loadConfigFiles(temp({ json: "{ nope" }));
    expect(() => resolveConfig([], {}, broken)).toThrow(/config\.json could not be read/);
    expect(resolveConfig(["--sandbox"], {}, broken).config.sandbox).toBe(true);
    expect(resolveConfig(["config"], {}, broken).command).toBe("config");
  });
});

describe("commands and HTTP settings", () => {
  const creds = { SAIL_BASE_URL: "https://acme.api.identitynow.com", SAIL_CLIENT_ID: "i", SAIL_CLIENT_SECRET: "s" };

  it("recognises config, init (with its own flags), demo and an explicit serve", () => {
    expect(resolveConfig(["config"], {}).command).toBe("config");
    expect(resolveConfig(["serve"], creds).command).toBe("serve");
    expect(resolveConfig(["demo"], {}).command).toBe("demo");
    const init = resolveConfig(["init", "--client", "vscode", "--write"], {});
    expect(init.init).toEqual({ client: "vscode", write: true, path: undefined });
    expect(() => resolveConfig(["--client", "vscode"], creds)).toThrow(/belong to the init command/);
    expect(() => resolveConfig(["config", "extra"], creds)).toThrow(/Unknown command "extra"/);
  });

  it("defaults to loopback port 3000 with sessions", () => {
    const { config } = resolveConfig(["--http"], creds);
    expect(config).toMatchObject({
      http: true,
      host: "127.0.0.1",
      port: 3000,
      stateless: false,
      maxSessions: 100,
      sessionIdleSeconds: 1800,
    });
  });

  it("--prometheus (ISC_MCP_PROMETHEUS) is off by default and needs the HTTP listener it serves /metrics on", () => {
    expect(resolveConfig(["--http"], creds).config.prometheus).toBe(false);
    expect(resolveConfig(["--http", "--prometheus"], creds).config.prometheus).toBe(true);
    expect(resolveConfig(["--http"], { ...creds, ISC_MCP_PROMETHEUS: "true" }).config.prometheus).toBe(true);
    expect(() => resolveConfig(["--prometheus"], creds)).toThrow(
      /--prometheus serves \/metrics on the HTTP listener: add --http/,
    );
  });

  it("sign-in settings: off loopback instead of the static token, as a set, and never with the static token", () => {
    const oauth = [
      "--oauth-issuer",
      "https://login.example.test/tenant/v2.0",
      "--oauth-audience",
      "https://mcp.example.test/mcp",
    ];
    const client = ["--oauth-client-id", "isc-mcp-page"];
    const { config } = resolveConfig(["--http", "--host", "0.0.0.0", ...oauth, ...client], creds);
    expect(config).toMatchObject({
      oauthIssuer: "https://login.example.test/tenant/v2.0",
      oauthAudience: "https://mcp.example.test/mcp",
      oauthScopeRead: "identities:read",
      oauthRightsClaims: ["scope", "scp"],
      oauthClockSkewSeconds: 30,
    });
    expect(() => resolveConfig(["--http", ...oauth], { ...creds, ISC_MCP_HTTP_TOKEN: "tok" })).toThrow(
      /either ISC_MCP_HTTP_TOKEN or --oauth-issuer, not both/,
    );
    expect(() => resolveConfig(["--http", oauth[0]!, oauth[1]!], creds)).toThrow(/go together/);
    expect(() => resolveConfig(oauth, creds)).toThrow(/only apply to the HTTP transport/);
    expect(() =>
      resolveConfig(["--http", "--oauth-issuer", "http://login.example.test", oauth[2]!, oauth[3]!], creds),
    ).toThrow(/must use https/);
    expect(() => resolveConfig(["--http", ...oauth, "--oauth-scope-write", "identities:read"], creds)).toThrow(
      /distinct scope tokens/,
    );
    expect(() => resolveConfig(["--http", ...oauth, "--four-eyes"], creds)).toThrow(
      /--four-eyes needs the confirmation page to sign people in/,
    );
    expect(() => resolveConfig(["--http", "--four-eyes"], creds)).toThrow(/--four-eyes needs sign-in/);
    expect(() => resolveConfig(["--http", ...oauth, ...client, "--oauth-clock-skew", "3600"], creds)).toThrow(
      /at most 300/,
    );
    expect(() => resolveConfig(["--http", ...oauth, ...client, "--oauth-introspection"], creds)).toThrow(
      /needs this server's own client/,
    );
    // The confirmation page signs people in too: without the server's own client it would not know who answers.
    expect(() => resolveConfig(["--http", ...oauth, "--public-url", "https://mcp.example.test"], creds)).toThrow(
      "--oauth-issuer: the confirmation page signs people in through the same provider and needs this server's own client there: set --oauth-client-id (and ISC_MCP_OAUTH_CLIENT_SECRET), with redirect URI https://mcp.example.test/signin/callback; or leave url out of --confirm-via.",
    );
    for (const nopage of [["--read-only"], ["--confirm-via", "form,code"], ["--stateless"]]) {
      expect(
        resolveConfig(["--http", ...oauth, ...nopage, "--single-replica"], {
          ...creds,
          ISC_MCP_CONFIRM_KEY: "k".repeat(32),
        }).config.oauthClientId,
      ).toBeUndefined();
    }
  });

  it("refuses a non-loopback bind without ISC_MCP_HTTP_TOKEN, and --stateless without ISC_MCP_CONFIRM_KEY", () => {
    expect(() => resolveConfig(["--http", "--host", "0.0.0.0"], creds)).toThrow(/set ISC_MCP_HTTP_TOKEN/);
    expect(
      resolveConfig(["--http", "--host", "0.0.0.0"], { ...creds, ISC_MCP_HTTP_TOKEN: "tok" }).config.httpToken,
    ).toBe("tok");
    expect(() => resolveConfig(["--http", "--stateless", "--single-replica"], creds)).toThrow(
      /--stateless needs ISC_MCP_CONFIRM_KEY/,
    );
    expect(
      resolveConfig(["--http", "--stateless", "--single-replica"], { ...creds, ISC_MCP_CONFIRM_KEY: "k".repeat(32) })
        .config.stateless,
    ).toBe(true);
    expect(() => resolveConfig(["--http", "--stateless"], { ...creds, ISC_MCP_CONFIRM_KEY: "k".repeat(32) })).toThrow(
      /--stateless needs --redis-url/,
    );
    const shared = resolveConfig(["--http", "--stateless"], {
      ...creds,
      ISC_MCP_CONFIRM_KEY: "k".repeat(32),
      ISC_MCP_REDIS_URL: "redis://cache.internal:6379/2",
    });
    expect(shared.config.redisUrl).toBe("redis://cache.internal:6379/2");
    expect(shared.notes.redisUrl).toBe("ISC_MCP_REDIS_URL");
    expect(() => resolveConfig(["--stateless"], creds)).toThrow(/add --http/);
    expect(() => resolveConfig(["--http", "--port", "70000"], creds)).toThrow(/--port must be an integer/);
  });

  it("refuses ISC_MCP_CONFIRM_KEY without --redis-url unless --single-replica: stdio, HTTP sessions and --stateless alike", () => {
    const keyed = { ...creds, ISC_MCP_CONFIRM_KEY: "k".repeat(32) };
    const modes = [[], ["--http"], ["--http", "--stateless"]];
    for (const mode of modes) {
      const shown = mode.join(" ") || "stdio";
      expect(() => resolveConfig(mode, keyed), shown).toThrow(
        mode.includes("--stateless")
          ? /--stateless needs --redis-url/
          : /^ISC_MCP_CONFIRM_KEY is set, .* each process keeps its own record of spent codes.*Set --redis-url .*or --single-replica/,
      );
      expect(resolveConfig([...mode, "--single-replica"], keyed).config.singleReplica, shown).toBe(true);
      expect(resolveConfig(mode, { ...keyed, ISC_MCP_SINGLE_REPLICA: "1" }).config.singleReplica, shown).toBe(true);
      expect(resolveConfig([...mode, "--redis-url", "redis://cache.internal:6379"], keyed).config.redisUrl, shown).toBe(
        "redis://cache.internal:6379",
      );
    }
    // Without the key every process signs with its own random one: nothing to share, nothing to refuse.
    for (const mode of modes.slice(0, 2)) expect(resolveConfig(mode, creds).config.confirmKey).toBeUndefined();
  });
});

// Config resolution: flags > environment > defaults, credential checks, and the messages a user sees.
import { describe, expect, expectTypeOf, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import { helpText, normaliseBaseUrl, resolveConfig } from "../../src/config/resolve.js";
import { OPTIONS } from "../../src/config/options.js";
import { assertConfig } from "../../src/config/config.js";
import { layerOptions } from "../../src/config/read-options.js";
import type { LogLevel } from "../../src/core/log.js";

const CREDS = {
  SAIL_BASE_URL: "https://acme.api.identitynow.com",
  SAIL_CLIENT_ID: "cid",
  SAIL_CLIENT_SECRET: "s3cret",
};

describe("resolveConfig", () => {
  it("uses defaults when nothing is given (with credentials)", () => {
    const { config, command, sources } = resolveConfig([], CREDS);
    expect(command).toBe("serve");
    expect(config.apiVersion).toBe("v1");
    expect(config.baseUrl).toBe("https://acme.api.identitynow.com");
    expect(config.clientId).toBe("cid");
    expect(config.clientSecret).toBe("s3cret");
    expect(config.readOnly).toBe(false);
    expect(config.confirm).toBe("strict");
    expect(sources.apiVersion).toBe("default");
    expect(sources.baseUrl).toBe("env");
  });

  it("lets flags win over the environment, and the environment over defaults", () => {
    const env = { ...CREDS, ISC_MCP_API_VERSION: "v2024", ISC_MCP_READ_ONLY: "1" };
    expect(resolveConfig([], env).config.apiVersion).toBe("v2024");
    expect(resolveConfig([], env).config.readOnly).toBe(true);
    const flagged = resolveConfig(["--api-version", "v2025", "--base-url", "https://other.api.identitynow.com/"], env);
    expect(flagged.config.apiVersion).toBe("v2025");
    expect(flagged.sources.apiVersion).toBe("flag");
    expect(flagged.config.baseUrl).toBe("https://other.api.identitynow.com");
  });

  it("parses lists and numbers", () => {
    const { config } = resolveConfig(["--tools", "get_identity, list_identities", "--call-timeout", "5000"], CREDS);
    expect(config.tools).toEqual(["get_identity", "list_identities"]);
    expect(config.callTimeoutMs).toBe(5000);
  });

  it("needs no credentials with --sandbox", () => {
    const { config, sources } = resolveConfig(["--sandbox"], {});
    expect(config.sandbox).toBe(true);
    expect(sources.baseUrl).toBe("sandbox");
  });

  it("names every missing credential and the way out", () => {
    expect(() => resolveConfig([], {})).toThrow(ConfigError);
    expect(() => resolveConfig([], {})).toThrow(
      /Missing SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET\..*--sandbox/,
    );
    expect(() => resolveConfig([], { SAIL_BASE_URL: CREDS.SAIL_BASE_URL, SAIL_CLIENT_ID: "x" })).toThrow(
      /^Missing SAIL_CLIENT_SECRET\./,
    );
  });

  it("refuses bad values with the option's name", () => {
    expect(() => resolveConfig(["--api-version", "v3"], CREDS)).toThrow(
      /--api-version must be one of v2024, v2025, v2026, v1/,
    );
    expect(() => resolveConfig([], { ...CREDS, ISC_MCP_CALL_TIMEOUT_MS: "soon" })).toThrow(
      /ISC_MCP_CALL_TIMEOUT_MS must be a non-negative number/,
    );
    expect(() => resolveConfig(["--no-such-flag"], CREDS)).toThrow(/--help/);
    expect(() => resolveConfig(["serve-me"], CREDS)).toThrow(/Unknown command "serve-me"/);
  });

  it("recognises --help and --version without credentials", () => {
    expect(resolveConfig(["--help"], {}).command).toBe("help");
    expect(resolveConfig(["-v"], {}).command).toBe("version");
  });
});

describe("normaliseBaseUrl", () => {
  it("accepts https tenant roots and loopback http", () => {
    expect(normaliseBaseUrl("https://acme.api.identitynow.com/")).toBe("https://acme.api.identitynow.com");
    expect(normaliseBaseUrl("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(normaliseBaseUrl("http://localhost:1")).toBe("http://localhost:1");
  });

  it("refuses plain http to a remote host, paths and versions", () => {
    expect(() => normaliseBaseUrl("http://acme.api.identitynow.com")).toThrow(/must use https/);
    expect(() => normaliseBaseUrl("https://acme.api.identitynow.com/v2025")).toThrow(/without a path or version/);
    expect(() => normaliseBaseUrl("not a url")).toThrow(/is not a URL/);
    expect(() => normaliseBaseUrl("https://u:p@acme.api.identitynow.com")).toThrow(/without credentials/);
  });
});

describe("Config, derived from the options table", () => {
  it("types each field by its entry: enums as their values, lists of channels as channels, no default as possibly absent", () => {
    const { config } = resolveConfig(["--confirm-via", "url,code"], CREDS);
    expectTypeOf(config.confirm).toEqualTypeOf<"strict" | "auto">();
    expectTypeOf(config.apiVersion).toEqualTypeOf<"v2024" | "v2025" | "v2026" | "v1">();
    expectTypeOf(config.logLevel).toEqualTypeOf<LogLevel>();
    expectTypeOf(config.confirmVia).toEqualTypeOf<Array<"form" | "url" | "browser" | "code"> | undefined>();
    expectTypeOf(config.tools).toEqualTypeOf<string[] | undefined>();
    expectTypeOf(config.oauthRightsClaims).toEqualTypeOf<string[]>();
    expectTypeOf(config.baseUrl).toEqualTypeOf<string>();
    expectTypeOf(config.publicUrl).toEqualTypeOf<string | undefined>();
    expectTypeOf(config.port).toEqualTypeOf<number>();
    expectTypeOf(config.http).toEqualTypeOf<boolean>();
    // One field per entry, no more: a key of the table missing from Config (or the reverse) fails here.
    expect(Object.keys(config).sort()).toEqual(OPTIONS.map((o) => o.key).sort());
    expect(config.confirmVia).toEqual(["url", "code"]);
  });

  it("the layered values become a Config through a check of every entry, not a cast: a wrong type, an unknown value or a stray key is caught", () => {
    const { values } = layerOptions({ "confirm-via": "url,code" }, CREDS);
    expect(() => assertConfig({ ...values })).not.toThrow();
    expect(() => assertConfig({ ...values, port: "8080" })).toThrow("Config's port is not a number.");
    expect(() => assertConfig({ ...values, confirm: "sometimes" })).toThrow(
      "Config's confirm is not one of its values.",
    );
    expect(() => assertConfig({ ...values, confirmVia: ["url", "pigeon"] })).toThrow(
      "Config's confirmVia is not a list of its items.",
    );
    expect(() => assertConfig({ ...values, readOnly: undefined })).toThrow("Config's readOnly is missing.");
    expect(() => assertConfig({ ...values, clientSecret: 42 })).toThrow("Config's clientSecret is not a string.");
    expect(() => assertConfig({ ...values, colour: "blue" })).toThrow('Config has "colour"');
    // Absent where the table allows it: no default, or required (resolution refuses a serve without it).
    expect(() => assertConfig({ ...values, tools: undefined, baseUrl: undefined })).not.toThrow();
  });
});

describe("helpText", () => {
  it("lists every flag and environment twin", () => {
    const text = helpText();
    for (const o of OPTIONS) {
      if (o.flag) expect(text).toContain(`--${o.flag}`);
      if (o.env) expect(text).toContain(o.env);
    }
  });
});

describe("first-hour mistakes stop the server with the fix", () => {
  const creds = {
    SAIL_BASE_URL: "https://acme.api.identitynow.com",
    SAIL_CLIENT_ID: "cid",
    SAIL_CLIENT_SECRET: "real-secret",
  };

  it("an unknown flag: one clean sentence with the closest valid flag", () => {
    expect(() => resolveConfig(["--read-onyl"], creds)).toThrow(
      new ConfigError("Unknown option --read-onyl. Did you mean --read-only? Run with --help to see the options."),
    );
    expect(() => resolveConfig(["--bogus-flag"], creds)).toThrow(
      new ConfigError("Unknown option --bogus-flag. Run with --help to see the options."),
    );
    expect(() => resolveConfig(["--sandbx"], creds)).toThrow(/Did you mean --sandbox\?/);
    expect(() => resolveConfig(["init", "--clinet", "vscode"], creds)).toThrow(/Did you mean --client\?/);
  });

  it("--confirm-ttl below a minute is refused", () => {
    expect(() => resolveConfig(["--confirm-ttl", "0"], creds)).toThrow(
      /--confirm-ttl must be at least 60 seconds .*got 0\./,
    );
    expect(() => resolveConfig([], { ...creds, ISC_MCP_CONFIRM_TTL: "59" })).toThrow(/at least 60 seconds/);
    expect(resolveConfig(["--confirm-ttl", "60"], creds).config.confirmTtlSeconds).toBe(60);
  });

  it("the sandbox command's --port is checked at resolution, as the HTTP transport's is", () => {
    expect(() => resolveConfig(["sandbox", "--port", "70000"], {})).toThrow(
      /^--port must be an integer from 0 to 65535, got 70000\.$/,
    );
    expect(resolveConfig(["sandbox", "--port", "0"], {}).config.port).toBe(0);
  });

  it("an ISC_MCP_CONFIRM_KEY under 16 characters is refused at resolution, before any guard exists", () => {
    const keyed = (key: string) => resolveConfig(["--single-replica"], { ...creds, ISC_MCP_CONFIRM_KEY: key });
    expect(() => keyed("k".repeat(15))).toThrow(/^ISC_MCP_CONFIRM_KEY must be at least 16 characters long/);
    expect(keyed("k".repeat(16)).config.confirmKey).toBe("k".repeat(16));
  });

  it.each([
    [
      "SAIL_CLIENT_SECRET",
      "PASTE-YOUR-CLIENT-SECRET",
      /still the placeholder "PASTE-YOUR-CLIENT-SECRET" from "isc-identities-mcp init": replace it .* claude_desktop_config\.json/,
    ],
    ["SAIL_CLIENT_ID", "YOUR-CLIENT-ID", /SAIL_CLIENT_ID is still the placeholder/],
    ["SAIL_BASE_URL", "https://YOUR-TENANT.api.identitynow.com", /SAIL_BASE_URL is still the placeholder/],
    [
      "SAIL_CLIENT_SECRET",
      "${input:sail-client-secret}",
      /not expanded: VS Code replaces \$\{input:sail-client-secret\} only when \.vscode\/mcp\.json has an "inputs" entry with "id": "sail-client-secret"/,
    ],
    ["SAIL_CLIENT_SECRET", "${env:SAIL_CLIENT_SECRET}", /not expanded: this host does not replace \$\{env:…\}/],
    [
      "SAIL_CLIENT_ID",
      "${SAIL_CLIENT_ID}",
      /not expanded: this host does not replace \$\{…\} from its environment \(Claude Code does\)/,
    ],
  ])("%s=%s stops the server at start-up, naming the host setting to fix", (name, value, message) => {
    expect(() => resolveConfig([], { ...creds, [name]: value })).toThrow(message);
  });

  it("a placeholder in ./config.json is caught too, and the file is named", () => {
    const { SAIL_CLIENT_SECRET: _, ...env } = creds;
    expect(() =>
      resolveConfig([], env, { sdkJson: { path: "/proj/config.json", clientSecret: "PASTE-YOUR-CLIENT-SECRET" } }),
    ).toThrow(/\(It came from \/proj\/config\.json\.\)/);
  });

  it('"${user_config.x}" left by an MCP Bundle host for an empty optional setting reads as not set', () => {
    const resolved = resolveConfig([], {
      ...creds,
      ISC_MCP_TENANT: "${user_config.tenant}",
      ISC_MCP_READ_ONLY: "${user_config.read_only}",
    });
    expect(resolved.config.tenant).toBeUndefined();
    expect(resolved.config.readOnly).toBe(false);
    expect(resolved.sources.tenant).toBe("default");
  });
});

// Config resolution: flags > environment > defaults, credential checks, and the messages a user sees.
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/core/errors.js";
import { helpText, normaliseBaseUrl, resolveConfig } from "../src/config/resolve.js";
import { OPTIONS } from "../src/config/options.js";

const CREDS = { SAIL_BASE_URL: "https://acme.api.identitynow.com", SAIL_CLIENT_ID: "cid", SAIL_CLIENT_SECRET: "s3cret" };

describe("resolveConfig", () => {
  it("uses defaults when nothing is given (with credentials)", () => {
    const { config, command, sources } = resolveConfig([], CREDS);
    expect(command).toBe("serve");
    expect(config.apiVersion).toBe("v1");
    expect(config.baseUrl).toBe("https://acme.api.identitynow.com");
    expect(config.clientId).toBe("cid");
    expect(config.clientSecret).toBe("s3cret");
    expect(config.readOnly).toBe(false);
    expect(config.confirm).toBe("auto");
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
    expect(() => resolveConfig([], {})).toThrow(/Missing SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET\..*--sandbox/);
    expect(() => resolveConfig([], { SAIL_BASE_URL: CREDS.SAIL_BASE_URL, SAIL_CLIENT_ID: "x" })).toThrow(/^Missing SAIL_CLIENT_SECRET\./);
  });

  it("refuses bad values with the option's name", () => {
    expect(() => resolveConfig(["--api-version", "v3"], CREDS)).toThrow(/--api-version must be one of v2024, v2025, v2026, v1/);
    expect(() => resolveConfig([], { ...CREDS, ISC_MCP_CALL_TIMEOUT_MS: "soon" })).toThrow(/ISC_MCP_CALL_TIMEOUT_MS must be a non-negative number/);
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

describe("helpText", () => {
  it("lists every flag and environment twin", () => {
    const text = helpText();
    for (const o of OPTIONS) {
      if (o.flag) expect(text).toContain(`--${o.flag}`);
      if (o.env) expect(text).toContain(o.env);
    }
  });
});

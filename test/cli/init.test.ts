// `isc-identities-mcp init`: the exact block per host, and --write merging into an existing file after a backup.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";
import { runInit } from "../../src/cli/init.js";
import { detectInvocation, type Invocation } from "../../src/cli/invocation.js";

// A checkout's invocation: what init prints when it runs from a clone (detectInvocation is tested below).
const HOW: Invocation = {
  command: "/opt/node/bin/node",
  args: ["/src/isc-identities-mcp/dist/bundle/src/cli/main.js"],
  kind: "checkout",
  why: "it runs from a checkout",
};
const CMD = { command: HOW.command, args: HOW.args };
const CREDS = {
  SAIL_BASE_URL: "https://acme.api.identitynow.com",
  SAIL_CLIENT_ID: "cid",
  SAIL_CLIENT_SECRET: "never-written",
};

function init(
  argv: string[],
  env: Record<string, string>,
  places: { cwd: string; home: string; platform?: NodeJS.Platform },
) {
  const out: string[] = [];
  const note: string[] = [];
  const code = runInit(resolveConfig(["init", ...argv], env), {
    out: (l) => out.push(l),
    note: (l) => note.push(l),
    places: { platform: "darwin", appData: undefined, ...places },
    now: () => Date.UTC(2025, 0, 2, 3, 4, 5),
    invocation: HOW,
  });
  return { code, out: out.join("\n"), note: note.join("\n") };
}

function dirs() {
  const root = mkdtempSync(join(tmpdir(), "isc-init-"));
  return { cwd: join(root, "proj"), home: join(root, "home") };
}

describe("init prints the block for each host", () => {
  const where = dirs();
  it("claude-desktop: env with the known URL and client id, a placeholder secret, the macOS path", () => {
    const { out, note } = init(["--client", "claude-desktop"], CREDS, where);
    expect(JSON.parse(out)).toEqual({
      mcpServers: {
        "isc-identities": {
          ...CMD,
          env: {
            SAIL_BASE_URL: "https://acme.api.identitynow.com",
            SAIL_CLIENT_ID: "cid",
            SAIL_CLIENT_SECRET: "PASTE-YOUR-CLIENT-SECRET",
          },
        },
      },
    });
    expect(note).toContain(join(where.home, "Library", "Application Support", "Claude", "claude_desktop_config.json"));
    expect(out).not.toContain("never-written");
  });

  it("with no home folder (HOME unset, no passwd entry): a host that keeps its config there asks for --path, the rest work", () => {
    const homeless = { cwd: where.cwd, home: "" };
    expect(() => init(["--client", "claude-desktop"], CREDS, homeless)).toThrow(
      /claude-desktop looks for its config under the home folder.*pass --path <file>/,
    );
    expect(init(["--client", "claude-desktop", "--path", join(where.cwd, "claude.json")], CREDS, homeless).code).toBe(
      0,
    );
    expect(init(["--client", "claude-code"], CREDS, homeless).code).toBe(0);
  });

  it("claude-code: a project .mcp.json that expands the variables from the environment", () => {
    const { out, note } = init(["--client", "claude-code"], {}, where);
    expect(JSON.parse(out).mcpServers["isc-identities"]).toEqual({
      type: "stdio",
      ...CMD,
      env: {
        SAIL_BASE_URL: "${SAIL_BASE_URL}",
        SAIL_CLIENT_ID: "${SAIL_CLIENT_ID}",
        SAIL_CLIENT_SECRET: "${SAIL_CLIENT_SECRET}",
      },
    });
    expect(note).toContain(join(where.cwd, ".mcp.json"));
  });

  it("vscode: servers plus password inputs", () => {
    const block = JSON.parse(init(["--client", "vscode"], CREDS, where).out);
    expect(block.servers["isc-identities"].env).toEqual({
      SAIL_BASE_URL: "https://acme.api.identitynow.com",
      SAIL_CLIENT_ID: "cid",
      SAIL_CLIENT_SECRET: "${input:sail-client-secret}",
    });
    expect(block.inputs).toEqual([
      {
        type: "promptString",
        id: "sail-client-secret",
        description: "ISC personal access token client secret",
        password: true,
      },
    ]);
  });

  it("cursor: ${env:…} interpolation in ~/.cursor/mcp.json; --sandbox needs no env", () => {
    const { out, note } = init(["--client", "cursor"], {}, where);
    expect(JSON.parse(out).mcpServers["isc-identities"].env.SAIL_CLIENT_SECRET).toBe("${env:SAIL_CLIENT_SECRET}");
    expect(note).toContain(join(where.home, ".cursor", "mcp.json"));
    expect(JSON.parse(init(["--client", "cursor", "--sandbox"], {}, where).out)).toEqual({
      mcpServers: { "isc-identities": { command: HOW.command, args: [...HOW.args, "--sandbox"] } },
    });
  });

  it("refuses an unknown host by listing the known ones", () => {
    expect(() => init(["--client", "emacs"], {}, where)).toThrow(
      /--client claude-desktop\|claude-code\|vscode\|cursor \(got "emacs"\)/,
    );
  });
});

describe("init names the command it chose and the right next step", () => {
  const where = dirs();
  it("says which invocation it printed and why", () => {
    expect(init(["--client", "cursor"], {}, where).note).toContain(
      `Command: ${HOW.command} ${HOW.args[0]} (checkout: it runs from a checkout).`,
    );
  });

  it("claude-desktop: leads with the .mcpb bundle and the keychain, then the JSON route", () => {
    const { note } = init(["--client", "claude-desktop"], CREDS, where);
    const lines = note.split("\n");
    expect(lines[0]).toMatch(
      /^Claude Desktop: the easiest and safest route is the MCP Bundle .*isc-identities-mcp-\d+\.\d+\.\d+\.mcpb/,
    );
    expect(lines[1]).toMatch(/keeps the secret in the OS keychain, not in a file/);
    expect(lines[2]).toBe("Or the JSON route:");
  });

  it("--sandbox asks for no secret and says nothing about replacing one", () => {
    for (const client of ["claude-desktop", "claude-code", "vscode", "cursor"]) {
      const { out, note } = init(["--client", client, "--sandbox"], {}, where);
      expect(note, client).not.toMatch(/PASTE-YOUR-CLIENT-SECRET|SAIL_CLIENT_SECRET|asks for the inputs/);
      expect(out, client).not.toMatch(/SAIL_|inputs/);
    }
  });
});

describe("detectInvocation", () => {
  const node = "/opt/node/bin/node";
  it("npx -y only when npx fetched this copy into its cache", () => {
    expect(
      detectInvocation({
        entry: "/home/u/.npm/_npx/1a2b/node_modules/isc-identities-mcp/dist/bundle/src/cli/main.js",
        execPath: node,
      }),
    ).toMatchObject({ command: "npx", args: ["-y", "isc-identities-mcp"], kind: "npx" });
  });
  it("a checkout, a global install and a local (tarball) install: node and the entry by absolute path", () => {
    const checkout = "/src/isc-identities-mcp/dist/bundle/src/cli/main.js";
    expect(detectInvocation({ entry: checkout, execPath: node })).toMatchObject({
      command: node,
      args: [checkout],
      kind: "checkout",
    });
    const global = "/opt/node/lib/node_modules/isc-identities-mcp/dist/bundle/src/cli/main.js";
    expect(detectInvocation({ entry: global, execPath: node })).toMatchObject({
      command: node,
      args: [global],
      kind: "global install",
    });
    const prefixed = "/usr/local/lib/node_modules/isc-identities-mcp/dist/bundle/src/cli/main.js";
    expect(detectInvocation({ entry: prefixed, execPath: node, globalPrefix: "/usr/local" })).toMatchObject({
      kind: "global install",
    });
    const local = "/home/u/tools/node_modules/isc-identities-mcp/dist/bundle/src/cli/main.js";
    expect(detectInvocation({ entry: local, execPath: node })).toMatchObject({
      command: node,
      args: [local],
      kind: "local install",
    });
  });
});

describe("detectInvocation on the built bundle", () => {
  it("names this checkout as the package's folder, not the bundle's folder (whose package.json only says CommonJS)", () => {
    const entry = fileURLToPath(new URL("../../dist/bundle/src/cli/main.js", import.meta.url));
    const root = fileURLToPath(new URL("../..", import.meta.url)).replace(/[\\/]$/, "");
    const how = detectInvocation({ entry, execPath: process.execPath });
    expect(how).toMatchObject({ kind: "checkout", args: [entry] });
    expect(how.why).toContain(`a checkout at ${root}:`);
  });
});

describe("init --write", () => {
  it("run again without SAIL_BASE_URL, keeps the values it does not know instead of writing placeholders", () => {
    const where = dirs();
    const file = join(where.cwd, ".vscode", "mcp.json");
    init(["--client", "vscode", "--write"], CREDS, where);
    const first = JSON.parse(readFileSync(file, "utf8"));
    first.servers["isc-identities"].env.ISC_MCP_READ_ONLY = "1";
    writeFileSync(file, JSON.stringify(first));
    init(["--client", "vscode", "--write"], {}, where);
    const again = JSON.parse(readFileSync(file, "utf8"));
    expect(again.servers["isc-identities"].env).toEqual({
      SAIL_BASE_URL: "https://acme.api.identitynow.com",
      SAIL_CLIENT_ID: "cid",
      SAIL_CLIENT_SECRET: "${input:sail-client-secret}",
      ISC_MCP_READ_ONLY: "1",
    });
    // No input for values already written.
    expect(again.inputs.map((i: { id: string }) => i.id)).toEqual(["sail-client-secret"]);
  });

  it("run again, keeps the server flags the user added to args, and takes this run's entry point and --sandbox", () => {
    const where = dirs();
    const file = join(where.cwd, ".vscode", "mcp.json");
    init(["--client", "vscode", "--write", "--sandbox"], {}, where);
    const first = JSON.parse(readFileSync(file, "utf8"));
    const entry: string[] = first.servers["isc-identities"].args.slice(0, -1);
    expect(first.servers["isc-identities"].args.at(-1)).toBe("--sandbox");
    first.servers["isc-identities"].args = [
      "/old/place/main.js",
      "--sandbox",
      "--read-only",
      "--confirm",
      "strict",
      "--tools=list_identities,get_identity",
    ];
    writeFileSync(file, JSON.stringify(first));
    init(["--client", "vscode", "--write"], CREDS, where);
    const again = JSON.parse(readFileSync(file, "utf8"));
    // The old entry point and --sandbox are this run's to decide; the user's own flags stay, values and all.
    expect(again.servers["isc-identities"].args).toEqual([
      ...entry,
      "--read-only",
      "--confirm",
      "strict",
      "--tools=list_identities,get_identity",
    ]);
  });

  it("keeps a secret already typed into claude_desktop_config.json", () => {
    const where = dirs();
    const file = join(where.home, "Library", "Application Support", "Claude", "claude_desktop_config.json");
    init(["--client", "claude-desktop", "--write"], CREDS, where);
    const typed = JSON.parse(readFileSync(file, "utf8"));
    typed.mcpServers["isc-identities"].env.SAIL_CLIENT_SECRET = "typed-by-the-user";
    writeFileSync(file, JSON.stringify(typed));
    init(["--client", "claude-desktop", "--write"], {}, where);
    expect(JSON.parse(readFileSync(file, "utf8")).mcpServers["isc-identities"].env).toEqual({
      SAIL_BASE_URL: "https://acme.api.identitynow.com",
      SAIL_CLIENT_ID: "cid",
      SAIL_CLIENT_SECRET: "typed-by-the-user",
    });
  });

  // The file holds the client secret once the user types it in: rewriting it must not open it to other users.
  it("writes a new host file for its owner only, and keeps an existing file's mode", () => {
    const where = dirs();
    init(["--client", "claude-desktop", "--write"], CREDS, { ...where, platform: "linux" });
    const file = join(where.home, ".config", "Claude", "claude_desktop_config.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    chmodSync(file, 0o640);
    init(["--client", "claude-desktop", "--write"], CREDS, { ...where, platform: "linux" });
    expect(statSync(file).mode & 0o777).toBe(0o640);
    chmodSync(file, 0o600);
    init(["--client", "claude-desktop", "--write"], CREDS, { ...where, platform: "linux" });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("merges into an existing file, keeping other servers and settings, after a timestamped backup", () => {
    const where = dirs();
    const file = join(where.cwd, ".vscode", "mcp.json");
    mkdirSync(join(where.cwd, ".vscode"), { recursive: true });
    const original = {
      servers: { other: { command: "other-mcp" } },
      inputs: [{ type: "promptString", id: "other-key" }],
      extra: { keep: true },
    };
    writeFileSync(file, JSON.stringify(original));
    const { code, out } = init(["--client", "vscode", "--write"], CREDS, where);
    expect(code).toBe(0);
    const merged = JSON.parse(readFileSync(file, "utf8"));
    expect(merged.servers.other).toEqual({ command: "other-mcp" });
    expect(merged.servers["isc-identities"].command).toBe(HOW.command);
    expect(merged.extra).toEqual({ keep: true });
    expect(merged.inputs.map((i: { id: string }) => i.id)).toEqual(["other-key", "sail-client-secret"]);
    const backup = `${file}.2025-01-02T03-04-05-000Z.bak`;
    expect(JSON.parse(readFileSync(backup, "utf8"))).toEqual(original);
    expect(out).toContain(`Backed up ${file} to ${backup}`);
    expect(out).toContain(`Added server "isc-identities" in ${file}`);
    // Running again replaces our entry instead of duplicating the inputs.
    expect(init(["--client", "vscode", "--write"], CREDS, where).out).toContain("Updated server");
    expect(JSON.parse(readFileSync(file, "utf8")).inputs).toHaveLength(2);
  });

  it("creates the file (and its folder) when there is none, with no backup", () => {
    const where = dirs();
    const { out } = init(["--client", "claude-desktop", "--write"], CREDS, { ...where, platform: "linux" });
    const file = join(where.home, ".config", "Claude", "claude_desktop_config.json");
    expect(JSON.parse(readFileSync(file, "utf8")).mcpServers["isc-identities"].env.SAIL_CLIENT_SECRET).toBe(
      "PASTE-YOUR-CLIENT-SECRET",
    );
    expect(out).not.toContain("Backed up");
    expect(readdirSync(join(where.home, ".config", "Claude"))).toEqual(["claude_desktop_config.json"]);
  });

  it("leaves a file with comments untouched and says why; --path picks the file", () => {
    const where = dirs();
    mkdirSync(where.cwd, { recursive: true });
    const file = join(where.cwd, "custom.json");
    writeFileSync(file, '{ // my servers\n "mcpServers": {} }');
    expect(() => init(["--client", "cursor", "--write", "--path", file], {}, where)).toThrow(
      /not plain JSON .* nothing was changed/,
    );
    expect(readFileSync(file, "utf8")).toBe('{ // my servers\n "mcpServers": {} }');
  });
});

// The MCP hosts `init` knows: where each keeps its server list, and the exact block that adds this server to it.
import { join } from "node:path";
import { PLACEHOLDERS } from "../config/placeholders.js";

export const HOSTS = ["claude-desktop", "claude-code", "vscode", "cursor"] as const;
export type HostName = (typeof HOSTS)[number];

export const SERVER_NAME = "isc-identities";

export interface HostPlaces {
  cwd: string;
  home: string;
  platform: NodeJS.Platform;
  /** %APPDATA% on Windows, $XDG_CONFIG_HOME elsewhere (when set). */
  appData?: string | undefined;
}

export interface BlockInput {
  baseUrl: string | undefined;
  clientId: string | undefined;
  sandbox: boolean;
  /** How the host starts this server (see invocation.ts). */
  command: string;
  args: readonly string[];
}

export interface HostSpec {
  label: string;
  /** The object that holds servers by name. */
  key: "mcpServers" | "servers";
  file(places: HostPlaces): string;
  /** The whole JSON block to merge into the file (the server entry, plus VS Code's inputs). */
  block(input: BlockInput): Record<string, unknown>;
  /** What the user still has to do once the block is in place. */
  next(input: BlockInput): string;
}

const args = (input: BlockInput) => [...input.args, ...(input.sandbox ? ["--sandbox"] : [])];

/** The three SAIL_* variables, each spelled the way the host fills it in; the sandbox needs none. */
function env(
  input: BlockInput,
  secret: string,
  fromHost?: (name: string) => string,
): Record<string, string> | undefined {
  if (input.sandbox) return undefined;
  return {
    SAIL_BASE_URL: fromHost && !input.baseUrl ? fromHost("SAIL_BASE_URL") : (input.baseUrl ?? PLACEHOLDERS.url),
    SAIL_CLIENT_ID:
      fromHost && !input.clientId ? fromHost("SAIL_CLIENT_ID") : (input.clientId ?? PLACEHOLDERS.clientId),
    SAIL_CLIENT_SECRET: secret,
  };
}

function server(
  input: BlockInput,
  environment: Record<string, string> | undefined,
  type?: "stdio",
): Record<string, unknown> {
  return {
    ...(type ? { type } : {}),
    command: input.command,
    args: args(input),
    ...(environment ? { env: environment } : {}),
  };
}

export const HOST_SPECS: Record<HostName, HostSpec> = {
  "claude-desktop": {
    label: "Claude Desktop",
    key: "mcpServers",
    file: (p) =>
      p.platform === "darwin"
        ? join(p.home, "Library", "Application Support", "Claude", "claude_desktop_config.json")
        : p.platform === "win32"
          ? join(p.appData ?? join(p.home, "AppData", "Roaming"), "Claude", "claude_desktop_config.json")
          : join(p.appData ?? join(p.home, ".config"), "Claude", "claude_desktop_config.json"),
    // Claude Desktop starts servers without the shell's environment and has no interpolation: the secret is typed in.
    block: (i) => ({ mcpServers: { [SERVER_NAME]: server(i, env(i, PLACEHOLDERS.secret)) } }),
    next: (i) =>
      i.sandbox
        ? "Restart Claude Desktop."
        : `Replace ${PLACEHOLDERS.secret} (and any YOUR-… placeholder) in that file, then restart Claude Desktop.`,
  },
  "claude-code": {
    label: "Claude Code",
    key: "mcpServers",
    file: (p) => join(p.cwd, ".mcp.json"),
    // Claude Code expands ${VAR} from its own environment, so the project file carries no secret.
    block: (i) => ({
      mcpServers: {
        [SERVER_NAME]: server(
          i,
          env(i, "${SAIL_CLIENT_SECRET}", (n) => `\${${n}}`),
          "stdio",
        ),
      },
    }),
    next: (i) =>
      i.sandbox
        ? "Run claude in this folder."
        : "Export SAIL_CLIENT_SECRET (and SAIL_BASE_URL/SAIL_CLIENT_ID if shown as ${…}) in the shell that starts claude, then run claude in this folder.",
  },
  vscode: {
    label: "VS Code",
    key: "servers",
    file: (p) => join(p.cwd, ".vscode", "mcp.json"),
    // VS Code prompts for inputs once and stores them in its secret storage.
    block: (i) => ({
      servers: {
        [SERVER_NAME]: server(
          i,
          env(i, "${input:sail-client-secret}", (n) => `\${input:${n.toLowerCase().replace(/_/g, "-")}}`),
          "stdio",
        ),
      },
      ...(i.sandbox
        ? {}
        : {
            inputs: [
              ...(i.baseUrl
                ? []
                : [
                    {
                      type: "promptString",
                      id: "sail-base-url",
                      description: "ISC tenant API root, e.g. https://acme.api.identitynow.com",
                    },
                  ]),
              ...(i.clientId
                ? []
                : [{ type: "promptString", id: "sail-client-id", description: "ISC personal access token client id" }]),
              {
                type: "promptString",
                id: "sail-client-secret",
                description: "ISC personal access token client secret",
                password: true,
              },
            ],
          }),
    }),
    next: (i) =>
      `Open the folder in VS Code and start the server from .vscode/mcp.json${i.sandbox ? "." : "; VS Code asks for the inputs once."}`,
  },
  cursor: {
    label: "Cursor",
    key: "mcpServers",
    file: (p) => join(p.home, ".cursor", "mcp.json"),
    // Cursor interpolates ${env:NAME} from the environment it was started in.
    block: (i) => ({
      mcpServers: {
        [SERVER_NAME]: server(
          i,
          env(i, "${env:SAIL_CLIENT_SECRET}", (n) => `\${env:${n}}`),
        ),
      },
    }),
    next: (i) =>
      i.sandbox
        ? "Reload Cursor's MCP settings."
        : "Make SAIL_CLIENT_SECRET (and any ${env:…} variable above) available to Cursor's environment, then reload Cursor's MCP settings.",
  },
};

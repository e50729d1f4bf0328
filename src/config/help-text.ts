// The --help text, generated from the options table so it never drifts from what the CLI accepts.
import { OPTIONS } from "./options.js";

/** The --help text, generated from the options table. */
export function helpText(): string {
  const lines = [
    "Usage: isc-identities-mcp [serve] [options]",
    "       isc-identities-mcp config [options]          show the effective configuration and test the credentials",
    "       isc-identities-mcp init --client HOST [--write] [--path FILE]",
    "                                                    print (or merge) the setup for claude-desktop, claude-code, vscode or cursor",
    "       isc-identities-mcp demo                      drive the server against the sandbox tenant and print each step",
    "       isc-identities-mcp sandbox [--port N] [--sandbox-identities N]",
    "                                                    serve the sandbox tenant alone on 127.0.0.1, for several servers to share",
    "",
    "MCP server (stdio, or Streamable HTTP with --http) for the identities of a SailPoint Identity Security Cloud tenant.",
    "Credentials come from SAIL_BASE_URL, SAIL_CLIENT_ID and SAIL_CLIENT_SECRET, ./config.json or ~/.sailpoint/config.yaml.",
    "",
    "Options:",
  ];
  for (const o of OPTIONS) {
    const name = o.flag
      ? `--${o.flag}${o.type === "boolean" ? "" : ` ${o.placeholder ?? (o.values ? o.values.join("|") : "VALUE")}`}`
      : `(env only)`;
    const extra = [
      o.env && `env ${o.env}`,
      o.default !== undefined && o.default !== false && `default ${String(o.default)}`,
    ]
      .filter(Boolean)
      .join(", ");
    lines.push(`  ${name.padEnd(30)} ${o.description}${extra ? ` [${extra}]` : ""}`);
  }
  lines.push(`  ${"-h, --help".padEnd(30)} Show this help.`, `  ${"-v, --version".padEnd(30)} Print the version.`);
  return lines.join("\n");
}

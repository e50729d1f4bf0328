// Values a person or an MCP host was meant to replace (init's placeholders, unexpanded ${…}): caught at start-up with the setting to fix.
import { ConfigError } from "../core/errors.js";

/** What `init` writes where it does not know a value. */
export const PLACEHOLDERS = {
  url: "https://YOUR-TENANT.api.identitynow.com",
  clientId: "YOUR-CLIENT-ID",
  secret: "PASTE-YOUR-CLIENT-SECRET",
} as const;

const INIT_PLACEHOLDER = /PASTE-YOUR-|YOUR-CLIENT-ID|YOUR-TENANT/;
const INTERPOLATION = /^\$\{([^}]*)\}$/;

/** "${user_config.x}" is what an MCP Bundle host leaves when the user left an optional setting empty. */
export function isUnexpandedBundleSetting(value: string): boolean {
  return /^\$\{user_config\.[^}]+\}$/.test(value.trim());
}

/** Why `value` cannot be real and which host setting to fix; undefined for a real value. */
export function placeholderProblem(name: string, value: string): string | undefined {
  if (INIT_PLACEHOLDER.test(value)) {
    return `${name} is still the placeholder "${value}" from "isc-identities-mcp init": replace it with the real value in the "env" of the "isc-identities" server in your MCP host's config file (Claude Desktop: claude_desktop_config.json), then restart the host. In Claude Desktop, installing the .mcpb bundle instead keeps the secret in the OS keychain.`;
  }
  const inner = INTERPOLATION.exec(value.trim())?.[1];
  if (inner === undefined) return undefined;
  if (inner.startsWith("input:")) {
    const id = inner.slice("input:".length);
    return `${name} is "${value}", not expanded: VS Code replaces \${input:${id}} only when .vscode/mcp.json has an "inputs" entry with "id": "${id}", and other hosts never do. Add that entry (isc-identities-mcp init --client vscode prints it) or put the value itself in the server's "env".`;
  }
  if (inner.startsWith("env:")) {
    return `${name} is "${value}", not expanded: this host does not replace \${env:…} (Cursor and VS Code do). Use the syntax your host expands (isc-identities-mcp init --client HOST prints it) or put the value itself in the server's "env".`;
  }
  return `${name} is "${value}", not expanded: this host does not replace \${…} from its environment (Claude Code does). Use the syntax your host expands (isc-identities-mcp init --client HOST prints it) or put the value itself in the server's "env".`;
}

/** Throws for the first value that is a placeholder; `notes` says where each came from. */
export function checkPlaceholders(
  values: Record<string, string | undefined>,
  notes: Record<string, string>,
  keys: Record<string, string>,
): void {
  for (const [key, name] of Object.entries(keys)) {
    const value = values[name];
    if (!value) continue;
    const problem = placeholderProblem(name, value);
    if (problem) {
      const from = notes[key] && notes[key] !== name ? ` (It came from ${notes[key]}.)` : "";
      throw new ConfigError(problem + from);
    }
  }
}

// Which tools a server exposes: read-only beats everything, exclude beats include; unknown names fail at start-up.
import type { AnyTool } from "./define-tool.js";
import { ConfigError } from "../core/errors.js";

export interface SelectionOptions {
  readOnly: boolean;
  tools: string[] | undefined;
  excludeTools: string[] | undefined;
}

export function selectTools(all: readonly AnyTool[], opts: SelectionOptions): AnyTool[] {
  const names = new Set(all.map((t) => t.name));
  for (const [flag, list] of [["--tools", opts.tools], ["--exclude-tools", opts.excludeTools]] as const) {
    const unknown = (list ?? []).filter((n) => !names.has(n));
    if (unknown.length > 0) {
      throw new ConfigError(`${flag} names unknown tool(s): ${unknown.join(", ")}. Valid tools: ${[...names].join(", ")}.`);
    }
  }
  const include = opts.tools && opts.tools.length > 0 ? new Set(opts.tools) : undefined;
  const exclude = new Set(opts.excludeTools ?? []);
  return all.filter((t) => (!opts.readOnly || t.kind === "read") && (!include || include.has(t.name)) && !exclude.has(t.name));
}

// Build time: the tools/list entries of every tool, made by the same code the server runs (src/mcp/listed-tools.ts).
import { TOOLS } from "../tools/index.js";
import { listedTool, type ListedTool } from "../src/mcp/listed-tools.js";

export function prebuiltToolList(): Record<string, ListedTool> {
  return Object.fromEntries(TOOLS.map((tool) => [tool.name, listedTool(tool)]));
}

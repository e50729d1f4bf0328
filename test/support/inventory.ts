// What the CLI passes the server: the whole catalog (tools/, prompts/) narrowed by a config's selection.
import { createInventory, type Catalog, type Inventory, type Selection } from "../../src/mcp/inventory.js";
import { PROMPTS } from "../../prompts/index.js";
import { TOOLS } from "../../tools/index.js";

export const CATALOG: Catalog = { tools: TOOLS, prompts: PROMPTS };

export function inventoryFor(selection: Selection, catalog: Catalog = CATALOG): Inventory {
  return createInventory(catalog, selection);
}

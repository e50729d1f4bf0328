// Token counts (o200k) of what a model pays for: tools/list, instructions, and list results vs raw ISC JSON.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";

export interface TokenReport {
  toolsList: number;
  perTool: Record<string, number>;
  instructions: number;
  /** 50 identities: the raw ISC JSON, and list_identities' default result (structured and text copies). */
  list50: { raw: number; structured: number; text: number; structuredRatio: number; textRatio: number };
}

const textOf = (r: CallToolResult) => (r.content[0]?.type === "text" ? r.content[0].text : "");

export async function measureTokens(client: Client): Promise<TokenReport> {
  const listed = await client.listTools();
  const perTool = Object.fromEntries(listed.tools.map((t) => [t.name, countTokens(JSON.stringify(t))]));
  const summary = (await client.callTool({ name: "list_identities", arguments: { limit: 50 } })) as CallToolResult;
  const full = (await client.callTool({
    name: "list_identities",
    arguments: { limit: 50, view: "full" },
  })) as CallToolResult;
  // `view: "full"` items are ISC's objects exactly as the API returned them.
  const raw = countTokens(JSON.stringify((full.structuredContent as { items: unknown[] }).items));
  const structured = countTokens(JSON.stringify(summary.structuredContent));
  const text = countTokens(textOf(summary));
  return {
    toolsList: countTokens(JSON.stringify(listed)),
    perTool,
    instructions: countTokens(client.getInstructions() ?? ""),
    list50: { raw, structured, text, structuredRatio: structured / raw, textRatio: text / raw },
  };
}

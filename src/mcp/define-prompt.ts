// A prompt is data plus a render function; arguments are strings (MCP prompts take string arguments only).
export interface PromptArgument {
  name: string;
  description: string;
  required: boolean;
  /** What completion/complete suggests: identities from the tenant (name or alias prefix), or these fixed values. */
  complete?: "identity" | readonly string[];
}

export interface PromptDef {
  name: string;
  title: string;
  description: string;
  arguments: readonly PromptArgument[];
  /** Tools the workflow uses: checked against the inventory by a test. */
  tools: readonly string[];
  render(args: Record<string, string>): string;
}

export function definePrompt(def: PromptDef): PromptDef {
  return def;
}

export const CONFIRM_RULE =
  "Before any tool that changes something (reset, delete, send email, invite, process, synchronize), tell the user exactly what will happen and to whom, and go ahead only after they agree. If a tool returns a confirmation preview, show it to the user verbatim and call again with the code only with their consent.";

// prompts/list and prompts/get for the prompts the inventory offers. SDK-specific.
import { invalidParams } from "./protocol-errors.js";
import type { Server } from "@modelcontextprotocol/server";
import type { PromptDef } from "./define-prompt.js";

export function registerPrompts(server: Server, prompts: readonly PromptDef[]): void {
  const byName = new Map(prompts.map((p) => [p.name, p]));

  server.setRequestHandler("prompts/list", async () => ({
    prompts: prompts.map((p) => ({
      name: p.name,
      title: p.title,
      description: p.description,
      arguments: p.arguments.map((a) => ({ name: a.name, description: a.description, required: a.required })),
    })),
  }));

  server.setRequestHandler("prompts/get", async (request) => {
    const prompt = byName.get(request.params.name);
    if (!prompt) {
      throw invalidParams(
        `Unknown prompt "${request.params.name}". Available prompts: ${[...byName.keys()].join(", ")}.`,
      );
    }
    const args = request.params.arguments ?? {};
    const missing = prompt.arguments.filter((a) => a.required && !args[a.name]?.trim()).map((a) => a.name);
    if (missing.length > 0) {
      throw invalidParams(`Prompt "${prompt.name}" needs argument(s): ${missing.join(", ")}.`);
    }
    return {
      description: prompt.description,
      messages: [{ role: "user" as const, content: { type: "text" as const, text: prompt.render(args) } }],
    };
  });
}

// prompts/list and prompts/get for the prompts the inventory gives this caller. SDK-specific.
import { invalidParams } from "./protocol-errors.js";
import type { Server } from "@modelcontextprotocol/server";
import { callerOf } from "./caller.js";
import type { Inventory } from "./inventory.js";

export function registerPrompts(server: Server, inventory: Inventory): void {
  // With sign-in, a prompt that leads to a tool this person may not call is, for them, a prompt never heard of.
  server.setRequestHandler("prompts/list", async (_request, ctx) => ({
    prompts: inventory.promptsFor(callerOf(ctx.http?.authInfo)).map((p) => ({
      name: p.name,
      title: p.title,
      description: p.description,
      arguments: p.arguments.map((a) => ({ name: a.name, description: a.description, required: a.required })),
    })),
  }));

  server.setRequestHandler("prompts/get", async (request, ctx) => {
    const byName = new Map(inventory.promptsFor(callerOf(ctx.http?.authInfo)).map((p) => [p.name, p]));
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

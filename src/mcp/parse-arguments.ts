// A tool call's arguments against the tool's strict schema; what is wrong comes back as text a model can act on.
import * as z from "zod";
import { closest } from "../core/closest.js";

export type Parsed = { ok: true; data: unknown } | { ok: false; text: string };

/**
 * An unknown argument is refused, never ignored: a model that sent `filter` for `filters` would otherwise believe
 * it filtered. Its message names the argument the model probably meant, when one is close.
 */
const argumentMessages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== "unrecognized_keys") return undefined;
  const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape ?? {};
  const known = Object.keys(shape);
  return issue.keys
    .map((key) => {
      const near = closest(key, known);
      return `unknown argument \`${key}\`${near ? `; did you mean \`${near}\`?` : ""}`;
    })
    // One issue per key as prettifyError shows them ("✖ " starts each).
    .join("\n✖ ");
};

export function parseArguments(tool: { name: string; inputSchema: z.ZodType }, raw: unknown): Parsed {
  const parsed = tool.inputSchema.safeParse(raw ?? {}, { error: argumentMessages });
  if (parsed.success) return { ok: true, data: parsed.data };
  const where = (i: z.core.$ZodIssue) => (i.code === "unrecognized_keys" ? i.keys.map((k) => [...i.path, k].join(".")) : [i.path.join(".") || "(arguments)"]);
  const fields = [...new Set(parsed.error.issues.flatMap(where))].join(", ");
  return { ok: false, text: `Invalid arguments for tool "${tool.name}":\n${z.prettifyError(parsed.error)}\nNext step: fix ${fields} and call again; nothing was sent to ISC.` };
}

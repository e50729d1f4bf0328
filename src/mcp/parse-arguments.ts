// A tool call's arguments against the tool's strict schema; what is wrong comes back as text a model can act on.
import leven from "leven";
import * as z from "zod";
import { pathPastDepth } from "./json-depth.js";

export type Parsed = { ok: true; data: unknown } | { ok: false; text: string };

/**
 * The known argument closest to a misspelt one (case ignored), or none when none is close: at most a third of the
 * longer name's letters may differ, so `filter` finds `filters` and `identity_id` finds `identityId`, but `x` nothing.
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = leven(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= Math.floor(Math.max(name.length, candidate.length) / 3) && (!best || distance < best.distance))
      best = { name: candidate, distance };
  }
  return best?.name;
}

/**
 * An unknown argument is refused, never ignored: a model that sent `filter` for `filters` would otherwise believe
 * it filtered. Its message names the argument the model probably meant, when one is close.
 */
const argumentMessages: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== "unrecognized_keys") return undefined;
  const shape =
    (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape ?? {};
  const known = Object.keys(shape);
  return (
    issue.keys
      .map((key) => {
        const near = closest(key, known);
        return `unknown argument \`${key}\`${near ? `; did you mean \`${near}\`?` : ""}`;
      })
      // One issue per key as prettifyError shows them ("✖ " starts each).
      .join("\n✖ ")
  );
};

/**
 * No tool's arguments nest more than three levels (an object of lists of ids). Anything deeper is refused before zod
 * or anything else walks it: thousands of nested arrays end in "Maximum call stack size exceeded" wherever something
 * recursive meets them (JSON.stringify does below 5,000 on Node 20; some hosts run smaller stacks), instead of in
 * a message the model can act on.
 */
export const MAX_ARGUMENT_DEPTH = 32;

/** "filters[0][0][0][0]…": where the nesting went too deep, in zod's path style, cut short (the path is as long as the nesting). */
function shownPath(path: ReadonlyArray<string | number>): string {
  const shown = path
    .slice(0, 5)
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join("");
  return path.length > 5 ? `${shown}…` : shown;
}

export function parseArguments(tool: { name: string; inputSchema: z.ZodType }, raw: unknown): Parsed {
  const tooDeep = pathPastDepth(raw, MAX_ARGUMENT_DEPTH);
  if (tooDeep) {
    const field = typeof tooDeep[0] === "string" ? tooDeep[0] : "(arguments)";
    const issue = `arrays or objects nested more than ${MAX_ARGUMENT_DEPTH} levels deep (no argument of any tool nests that far)`;
    return {
      ok: false,
      text: `Invalid arguments for tool "${tool.name}":\n✖ ${issue}\n  → at ${shownPath(tooDeep) || "(arguments)"}\nNext step: fix ${field} and call again; nothing was sent to ISC.`,
    };
  }
  // The error map only words the issues, but zod pays for it on every parse it is given to (a get_identity's arguments:
  // 1.7 µs instead of 0.25 µs): valid arguments are parsed without it, and a failure is parsed again with it to be told.
  const valid = tool.inputSchema.safeParse(raw ?? {});
  if (valid.success) return { ok: true, data: valid.data };
  const parsed = tool.inputSchema.safeParse(raw ?? {}, { error: argumentMessages });
  if (parsed.success) return { ok: true, data: parsed.data };
  const where = (i: z.core.$ZodIssue) =>
    i.code === "unrecognized_keys" ? i.keys.map((k) => [...i.path, k].join(".")) : [i.path.join(".") || "(arguments)"];
  const fields = [...new Set(parsed.error.issues.flatMap(where))].join(", ");
  return {
    ok: false,
    text: `Invalid arguments for tool "${tool.name}":\n${z.prettifyError(parsed.error)}\nNext step: fix ${fields} and call again; nothing was sent to ISC.`,
  };
}

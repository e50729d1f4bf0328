// Renders the README's generated sections (tools, options, prompts) from the code; `npm run docs` writes them, a test compares.
import { TOOLS } from "../tools/index.js";
import { PROMPTS } from "../prompts/index.js";
import { OPTIONS } from "../src/options.js";
import { listedTool } from "../src/tool-schemas.js";

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function toolsTable(): string {
  const rows = TOOLS.map((tool) => {
    const schema = listedTool(tool).inputSchema as { properties?: Record<string, unknown>; required?: string[] };
    const required = new Set(schema.required ?? []);
    const args = Object.keys(schema.properties ?? {}).map((a) => (required.has(a) ? `\`${a}\`` : `\`${a}?\``)).join(", ");
    return `| \`${tool.name}\` | ${tool.kind} | ${cell(tool.description)} | ${args} |`;
  });
  return ["| tool | kind | what it does | arguments (`?` optional) |", "|---|---|---|---|", ...rows].join("\n");
}

function optionsTable(): string {
  const rows = OPTIONS.map((o) => {
    const flag = o.flag ? `\`--${o.flag}\`` : "(environment only)";
    const env = o.env ? `\`${o.env}\`` : "";
    const def = o.default === undefined ? "" : `\`${String(o.default)}\``;
    const values = o.values ? ` One of: ${o.values.join(", ")}.` : "";
    return `| ${flag} | ${env} | ${def} | ${cell(o.description + values)} |`;
  });
  return ["| flag | environment | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

function promptsList(): string {
  return PROMPTS.map((p) => {
    const args = p.arguments.map((a) => `\`${a.name}\`${a.required ? "" : "?"}`).join(", ");
    return `- \`${p.name}\` (${args}): ${p.description}`;
  }).join("\n");
}

const SECTIONS: Record<string, () => string> = { tools: toolsTable, options: optionsTable, prompts: promptsList };

/** Replaces every `<!-- name:start -->…<!-- name:end -->` block with freshly generated text. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const i = out.indexOf(start);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`README.md lacks the ${start} … ${end} markers`);
    out = `${out.slice(0, i + start.length)}\n${render()}\n${out.slice(j)}`;
  }
  return out;
}

// `npm run docs`: regenerates the README's tool, option and prompt sections, manifest.json and server.json from the code.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderReadme } from "./docs-render.js";
import { asJson, renderManifest, renderServerJson, ROOT, shaIn } from "./registry-render.js";

function update(path: string, render: (before: string | undefined) => string): void {
  const before = existsSync(path) ? readFileSync(path, "utf8") : undefined;
  const after = render(before);
  const name = path.slice(ROOT.length).replace(/^[\\/]/, "");
  if (after === before) {
    process.stdout.write(`${name} is up to date.\n`);
  } else {
    writeFileSync(path, after);
    process.stdout.write(`${name} regenerated.\n`);
  }
}

update(fileURLToPath(new URL("../../README.md", import.meta.url)), (before) => renderReadme(before ?? ""));
update(join(ROOT, "manifest.json"), () => asJson(renderManifest()));
// The .mcpb hash is the bundle script's to write; keep the one it wrote last.
update(join(ROOT, "server.json"), (before) => asJson(renderServerJson(shaIn(before))));

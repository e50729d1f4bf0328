// `npm run docs`: regenerates the README's tool, option and prompt sections from the code.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderReadme } from "./docs-render.js";

const path = fileURLToPath(new URL("../../README.md", import.meta.url));
const before = readFileSync(path, "utf8");
const after = renderReadme(before);
if (after === before) {
  process.stdout.write("README.md is up to date.\n");
} else {
  writeFileSync(path, after);
  process.stdout.write("README.md regenerated.\n");
}

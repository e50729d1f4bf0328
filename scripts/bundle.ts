// `npm run build` step 2: bundles the CLI and the demo into single files under dist/bundle/, which is all the package ships.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
// Start clean: whatever is under dist/bundle/ gets published.
rmSync(`${root}dist/bundle`, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: ["src/cli/main.ts", "scripts/demo.ts"],
  // Keeps src/ and scripts/ apart, so the CLI finds the demo (and the demo the CLI) at the same relative paths as in dist/.
  outbase: ".",
  outdir: "dist/bundle",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  // Error classes are told apart by name in places; mangled names would break that.
  keepNames: true,
  legalComments: "eof",
  // A few bundled CommonJS dependencies call require() for Node built-ins; ESM has none, so provide one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: "warning",
});

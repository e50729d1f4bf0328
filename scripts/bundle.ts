// `npm run build` step 2: bundles the CLI and the demo under dist/bundle/ (all the package ships), split so a start loads only what it uses.
import { build, type BuildOptions, type Plugin } from "esbuild";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { prebuiltToolList } from "./bundle-tool-list.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
// Start clean: whatever is under dist/bundle/ gets published.
rmSync(`${root}dist/bundle`, { recursive: true, force: true });

/**
 * The SDK's Server imports its ajv validator eagerly (~10 ms at every start); ours passes a zod one
 * (src/mcp/json-schema-validator.ts), so the server's import of ajv is swapped for a stub that throws if used.
 * The SDK client (the demo's) keeps the real one.
 */
const noAjvInServer: Plugin = {
  name: "no-ajv-in-server",
  setup(b) {
    b.onResolve({ filter: /validation\/ajv-provider\.js$/ }, (args) =>
      /sdk[\\/]dist[\\/]esm[\\/]server[\\/]index\.js$/.test(args.importer) ? { path: `${root}scripts/bundle-no-ajv.ts` } : undefined,
    );
  },
};

const common: BuildOptions = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  // Error classes are told apart by name in places; mangled names would break that.
  keepNames: true,
  legalComments: "eof",
  // A few bundled CommonJS dependencies call require() for Node built-ins; ESM has none, so provide one. Made on first
  // call: createRequire sets up Node's CommonJS loader, a few ms that a start whose code never calls require() skips.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; let __cjsRequire; const require = (id) => (__cjsRequire ??= __createRequire(import.meta.url))(id);" },
  plugins: [noAjvInServer],
  logLevel: "warning",
};

await build({
  ...common,
  entryPoints: ["src/cli/main.ts", "scripts/demo.ts"],
  // Keeps src/ and scripts/ apart, so the CLI finds the demo (and the demo the CLI) at the same relative paths as in dist/.
  outbase: ".",
  outdir: "dist/bundle",
  // Every `await import()` in src/ becomes a chunk loaded when first needed: a stdio start reads and parses none of the
  // sandbox, HTTP transport, init/config commands, yaml or ky. New optional features follow the same rule (src/cli/main.ts).
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  // tools/list answered from JSON made here from the zod schemas, instead of converting them at every start.
  define: { __ISC_MCP_TOOL_LIST__: JSON.stringify(JSON.stringify(prebuiltToolList())) },
});

// The bench's peers, bundled the same way so the cold-start comparison is like for like (never shipped): the minimal
// McpServer as anyone would build it (with its ajv), and the SDK's floor without ajv.
await build({ ...common, plugins: [], entryPoints: ["scripts/bench-minimal-server.ts"], outdir: "dist/bench-peers" });
await build({ ...common, entryPoints: ["scripts/bench-sdk-floor.ts"], outdir: "dist/bench-peers" });

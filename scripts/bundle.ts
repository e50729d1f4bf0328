// `npm run build` step 2: the shipped bundle under dist/bundle/ (all the package ships): the CLI as one CommonJS file
// run through a V8 code cache by a small entry, and the demo.
import { build, type BuildOptions, type Plugin } from "esbuild";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { prebuiltToolList } from "./bundle-tool-list.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
// Start clean: whatever is under dist/bundle/ gets published.
rmSync(`${root}dist/bundle`, { recursive: true, force: true });

/**
 * The SDK's server package loads its ajv validator (vendored inside it) at import, through its runtime shims module
 * (~160 KB of the bundle, and run at every start); ours passes a zod one (src/mcp/json-schema-validator.ts), so that
 * module is swapped for a stub whose validator throws if ever made. The SDK client (the demo's) keeps its own ajv.
 */
const noAjvInServer: Plugin = {
  name: "no-ajv-in-server",
  setup(b) {
    b.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, () => ({
      path: `${root}scripts/bundle-no-ajv.ts`,
    }));
  },
};

/**
 * Libraries that only optional features load (Redis with --redis-url, yaml when ~/.sailpoint/config.yaml exists, open
 * when a confirmation page goes to the desktop's browser), each in a file of its own beside cli.cjs: a start neither
 * reads nor decodes them, cached or not. (open also carries the bundle's one character above U+00FF, see below.)
 */
const VENDORED = ["ioredis", "yaml", "open", "undici"];
/**
 * The OpenTelemetry SDK (loaded only when an OTEL_* variable or --prometheus turns telemetry on) is vendored the same
 * way, from our one module that imports it: src/cli/otel-sdk.ts, which also hands the rest of the server the API.
 */
const OTEL_SDK = "src/cli/otel-sdk.ts";
const vendored: Plugin = {
  name: "vendored",
  setup(b) {
    const names = new RegExp(`^(${VENDORED.join("|")})$`);
    // Our import of the library becomes a require() of its file at run time (so import() stays lazy, as a require).
    b.onResolve({ filter: names }, (args) =>
      args.importer.includes("node_modules") ? undefined : { path: args.path, namespace: "vendored" },
    );
    b.onResolve({ filter: /^\.\/otel-sdk\.js$/ }, () => ({ path: "otel-sdk", namespace: "vendored" }));
    b.onLoad({ filter: /.*/, namespace: "vendored" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`./vendor/${args.path}.cjs`)});`,
      loader: "js",
    }));
    b.onResolve({ filter: /^\.\/vendor\// }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * zod's package.json says it has no side effects, and esbuild (0.28) then drops the call that initialises a lazily
 * wrapped zod from modules that import it (the wrapping comes from the import()s above): the CLI built with the tools
 * taken in by src/cli/serve.ts failed at its first top-level schema ("Cannot convert undefined or null to object").
 * Our imports of zod count as having effects, which keeps those calls; what zod's own files import is unchanged.
 */
const zodInitialised: Plugin = {
  name: "zod-initialised",
  setup(b) {
    b.onResolve({ filter: /^zod(\/.*)?$/ }, async (args) => {
      if (args.pluginData === "zod-initialised") return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: "zod-initialised",
      });
      return resolved.errors.length > 0 ? { errors: resolved.errors } : { path: resolved.path, sideEffects: true };
    });
  },
};

const common: BuildOptions = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  target: "node20",
  minify: true,
  // Error classes are told apart by name in places; mangled names would break that.
  keepNames: true,
  legalComments: "eof",
  logLevel: "warning",
};

/**
 * keepNames gives every function its name back with esbuild's `__name` helper, and that turns each function it names
 * into an object with a property table of its own: about 250 bytes more for every arrow or async function made at run
 * time. A tool call makes dozens, and a call waiting on a confirmation page holds about fifteen of them for minutes
 * (4 KB a call, 40 MB with 10,000 waiting: the bench's "waiting confirmations"). Names matter for classes (and plain
 * functions); arrows, async functions and methods have no `prototype`, and keep the name their minified binding has.
 */
function keepClassNamesOnly(code: string): string {
  const helper = /var ([\w$]+)=\(e,t\)=>([\w$]+)\(e,"name",\{value:t,configurable:!0\}\);/;
  if (!helper.test(code))
    throw new Error("cli.cjs: esbuild's __name helper was not found; see keepClassNamesOnly in scripts/bundle.ts");
  return code.replace(helper, 'var $1=(e,t)=>e.prototype?$2(e,"name",{value:t,configurable:!0}):e;');
}

/** For ESM bundles: a few bundled CommonJS dependencies call require() for Node built-ins, which ESM lacks. */
const esmRequire = {
  js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
};

// The CLI: one CommonJS file, because only a classic script can be compiled from a code cache on Node 20 (vm.Script;
// ESM has no such API without flags). Lazily loaded parts (sandbox, HTTP transport, Redis, init, yaml, ky) are still
// run only when first imported, and with the cache a start no longer pays to parse code it never runs.
await build({
  ...common,
  format: "cjs",
  entryPoints: ["src/cli/main.ts"],
  outfile: "dist/bundle/src/cli/cli.cjs",
  plugins: [noAjvInServer, vendored, zodInitialised],
  // A Node built-in loaded on first use (`await import("node:child_process")`) becomes a require, as bundled modules do.
  supported: { "dynamic-import": false },
  // The bundle stands in for main.js, its entry in the same folder: `init` tells hosts to start that, and relative
  // URLs (the demo, package.json) resolve as from main.js.
  define: {
    "import.meta.url": "__isc_mcp_entry_url",
    // tools/list answered from JSON made here from the zod schemas, instead of converting them at every start.
    __ISC_MCP_TOOL_LIST__: JSON.stringify(JSON.stringify(prebuiltToolList())),
  },
  // "use strict" first: after the banner, esbuild's own directive would no longer count, and src/ is written as strict code.
  banner: {
    js: '"use strict";var __isc_mcp_entry_url = require("node:url").pathToFileURL(require("node:path").join(__dirname, "main.js")).href;',
  },
});

for (const name of VENDORED) {
  await build({
    ...common,
    format: "cjs",
    stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: root },
    outfile: `dist/bundle/src/cli/vendor/${name}.cjs`,
  });
}
await build({ ...common, format: "cjs", entryPoints: [OTEL_SDK], outfile: "dist/bundle/src/cli/vendor/otel-sdk.cjs" });

// main.ts's hashbang belongs to the entry: inside the code cache's function wrapper it would be a syntax error.
const cliFile = `${root}dist/bundle/src/cli/cli.cjs`;
const cli = keepClassNamesOnly(readFileSync(cliFile, "utf8").replace(/^#!.*\n/, ""));
if (!cli.startsWith('"use strict";')) throw new Error('cli.cjs must start with "use strict" (see the banner above)');
// A script compiled through the cache cannot run import() on Node 20 (that needs an experimental loader): every
// import() in src/ must be of a bundled module, which esbuild turns into a require.
const dynamicImport = /(?<![\w$.])import\(/.exec(cli);
if (dynamicImport)
  throw new Error(
    `cli.cjs would run import() at ${cli.slice(dynamicImport.index - 60, dynamicImport.index + 60)}: load that module another way (see src/cli/demo.ts)`,
  );
// One character above U+00FF makes node read the whole file into a two-byte string (twice the bytes, decoded the slow
// way): about 3 ms of every start for an 800 KB bundle. esbuild escapes strings but not regular expression literals.
const wide = /[^\x00-\xff]/.exec(cli);
if (wide)
  throw new Error(
    `cli.cjs holds ${JSON.stringify(wide[0])} at ${JSON.stringify(cli.slice(wide.index - 60, wide.index + 20))}: escape it, or vendor the library it comes from`,
  );
writeFileSync(cliFile, cli);

// The entry hosts start: Node built-ins only, keyed to this exact cli.cjs so a rebuilt bundle never runs an old cache.
// A CommonJS script, as the package.json beside it says (the package's own says "module"): node starts an ES module
// entry by setting up its ES module loader first, about 4 ms of every start here (an empty .mjs against an empty .cjs),
// and nothing of a start needs that loader. Its name stays main.js: hosts' configs name it.
const bundleKey = createHash("sha256").update(cli).digest("hex").slice(0, 16);
await build({
  ...common,
  format: "cjs",
  entryPoints: ["src/cli/bin.ts"],
  outfile: "dist/bundle/src/cli/main.js",
  define: { __ISC_MCP_BUNDLE_KEY__: JSON.stringify(bundleKey), "import.meta.url": "__isc_mcp_bin_url" },
  banner: { js: '"use strict";var __isc_mcp_bin_url = require("node:url").pathToFileURL(__filename).href;' },
});
writeFileSync(`${root}dist/bundle/src/cli/package.json`, `${JSON.stringify({ type: "commonjs" })}\n`);

// The demo (npm run demo, or the CLI's `demo` command): it starts main.js beside it at ../src/cli/, as in dist/.
await build({
  ...common,
  format: "esm",
  banner: esmRequire,
  entryPoints: ["scripts/demo.ts"],
  outfile: "dist/bundle/scripts/demo.js",
});

// The bench's peers, minified by esbuild like the server (never shipped): the minimal McpServer as anyone would build it
// (an ES module, with its ajv), and the SDK's floors (start; one tool call) without ajv, the start floor as cheap to
// start as the SDK can be (CommonJS, zod's jitless; see scripts/bench-sdk-floor.ts).
await build({
  ...common,
  format: "esm",
  banner: esmRequire,
  entryPoints: ["scripts/bench-minimal-server.ts"],
  outdir: "dist/bench-peers",
});
await build({
  ...common,
  format: "esm",
  banner: esmRequire,
  plugins: [noAjvInServer],
  entryPoints: ["scripts/bench-call-floor.ts"],
  outdir: "dist/bench-peers",
});
await build({
  ...common,
  format: "cjs",
  plugins: [noAjvInServer],
  entryPoints: ["scripts/bench-sdk-floor.ts"],
  outfile: "dist/bench-peers/bench-sdk-floor.cjs",
});

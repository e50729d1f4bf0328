// `npm run bundle:mcpb`: stages manifest, icon and the bundled server, then the official mcpb CLI validates and packs dist/<name>-<version>.mcpb.
// It writes only under dist/: the hash in server.json is a release's (`npm run release:hash`), so a build leaves the tree clean.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { ICON } from "./icon.js";
import { buildTime, pinZipTimes } from "./zip-times.js";
import { asJson, bundleName, readPackageJson, renderManifest, ROOT } from "./registry-render.js";

// Overridable so a test can build into a temporary folder.
const out = process.env.MCPB_OUT_DIR ?? join(ROOT, "dist");
const stage = join(out, "mcpb");

const pkg = readPackageJson();
const manifest = asJson(renderManifest(pkg));
if (readFileSync(join(ROOT, "manifest.json"), "utf8") !== manifest)
  throw new Error("manifest.json is stale: run `npm run docs`, then bundle again.");
if (!existsSync(join(ROOT, "dist/bundle/src/cli/main.js")))
  throw new Error("dist/bundle is missing: run `npm run build` first.");

// Only what the host runs: the manifest, the icon, and the esbuild bundle of the CLI (its entry, the CLI itself and the
// two libraries it loads on demand; every library inlined, so no node_modules).
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
writeFileSync(join(stage, "manifest.json"), manifest);
cpSync(ICON, join(stage, "icon.png"));
// The demo stays out.
cpSync(join(ROOT, "dist/bundle/src"), join(stage, "server/src"), { recursive: true });
cpSync(join(ROOT, "LICENSE"), join(stage, "LICENSE"));
// version.ts and init find the name and version here (the entry is CommonJS, as the package.json beside it says).
writeFileSync(
  join(stage, "package.json"),
  asJson({ name: pkg.name, version: pkg.version, homepage: pkg.homepage, license: pkg.license, private: true }),
);

// The package exports no bin path; its CLI sits beside the main entry (dist/index.js → dist/cli/cli.js).
const mcpb = join(dirname(createRequire(import.meta.url).resolve("@anthropic-ai/mcpb")), "cli", "cli.js");
const run = (...args: string[]) =>
  execFileSync(process.execPath, [mcpb, ...args], { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
process.stdout.write(run("validate", join(stage, "manifest.json")));
const file = join(out, bundleName(pkg));
rmSync(file, { force: true });
run("pack", stage, file);
// Same source, same bytes: the CLI stamps the packing time, so pin it (SOURCE_DATE_EPOCH, else a fixed date).
const packed = readFileSync(file);
pinZipTimes(packed, buildTime());
writeFileSync(file, packed);

const sha = createHash("sha256").update(readFileSync(file)).digest("hex");
process.stdout.write(`${file}\nsha256 ${sha}\n`);

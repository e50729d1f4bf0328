// `npm run release:hash` (a release step, after bundle:mcpb): writes the .mcpb's SHA-256 into server.json, whose mcpb entry must name exactly that file.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { asJson, bundleName, readPackageJson, renderServerJson, ROOT } from "./registry-render.js";

// Overridable so a test can read a bundle built in a temporary folder and write a server.json there.
const out = process.env.MCPB_OUT_DIR ?? join(ROOT, "dist");
const serverJsonPath = process.env.MCPB_SERVER_JSON ?? join(ROOT, "server.json");

const pkg = readPackageJson();
const file = join(out, bundleName(pkg));
if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run bundle:mcpb\` first.`);
// The npm entry and the rest come from the code, as `npm run docs` renders them; only the hash is the release's.
const sha = createHash("sha256").update(readFileSync(file)).digest("hex");
writeFileSync(serverJsonPath, asJson(renderServerJson(sha, pkg)));
process.stdout.write(`sha256 ${sha} of ${file} written to ${serverJsonPath}\n`);

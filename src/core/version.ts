// The package's name, version and folder, read once from package.json so the User-Agent and --version never drift.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HOMEPAGE = "https://github.com/isc-identities-mcp/isc-identities-mcp#readme";

function findPackageJson(): { name: string; version: string; homepage: string; root: string | undefined } {
  // Walk up: the file runs from src/ under vitest and from dist/src/ when built.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string; version?: string; homepage?: string };
      if (pkg.name === "isc-identities-mcp" && pkg.version) return { name: pkg.name, version: pkg.version, homepage: pkg.homepage ?? HOMEPAGE, root: dir };
    }
    dir = dirname(dir);
  }
  return { name: "isc-identities-mcp", version: "0.0.0", homepage: HOMEPAGE, root: undefined };
}

export const PACKAGE = findPackageJson();
export const USER_AGENT = `${PACKAGE.name}/${PACKAGE.version}`;

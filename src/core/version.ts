// The package's name, version and folder, read once from package.json so the User-Agent and --version never drift.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const NAME = "isc-identities-mcp";
const HOMEPAGE = "https://github.com/isc-identities-mcp/isc-identities-mcp#readme";

interface OurPackageJson {
  name: string;
  version: string;
  homepage?: string;
}

/**
 * This package's folder at or above `dir` and its package.json: the one named isc-identities-mcp, so the bundle's
 * own package.json beside its entry (which only says it is CommonJS) and a host project's are passed over.
 */
export function ourPackageAbove(dir: string): { root: string; pkg: OurPackageJson } | undefined {
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, "utf8")) as Partial<OurPackageJson>;
        if (pkg.name === NAME && typeof pkg.version === "string")
          return { root: dir, pkg: { ...pkg, name: NAME, version: pkg.version } };
      } catch {
        // Not JSON, or unreadable: not ours; go on up.
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

function findPackageJson(): { name: string; version: string; homepage: string; root: string | undefined } {
  // Walk up: the file runs from src/ under vitest and from dist/src/ when built.
  const found = ourPackageAbove(dirname(fileURLToPath(import.meta.url)));
  if (found)
    return {
      name: found.pkg.name,
      version: found.pkg.version,
      homepage: found.pkg.homepage ?? HOMEPAGE,
      root: found.root,
    };
  return { name: NAME, version: "0.0.0", homepage: HOMEPAGE, root: undefined };
}

export const PACKAGE = findPackageJson();
export const USER_AGENT = `${PACKAGE.name}/${PACKAGE.version}`;

// How a host should start this very copy of the server: npx only when npx started it, else node and the entry file by absolute path.
import { realpathSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import { ourPackageAbove } from "../core/version.js";

export interface Invocation {
  command: string;
  /** Arguments before the server's own (--sandbox and the like). */
  args: string[];
  /** What kind of install this is, for the note `init` prints. */
  kind: "npx" | "checkout" | "global install" | "local install";
  /** One sentence: which invocation was chosen and why. */
  why: string;
}

export interface InvocationInput {
  /** The file node is running (the bundled or compiled main.js). */
  entry: string;
  /** process.execPath: the node that runs this server now. */
  execPath: string;
  /** npm's global prefix when known (npm_config_prefix). */
  globalPrefix?: string | undefined;
}

const real = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

export function detectInvocation(input: InvocationInput): Invocation {
  const entry = real(input.entry);
  // npm exec keeps packages it fetched under <cache>/_npx/<hash>/node_modules: only then does "npx -y" start the same thing.
  if (entry.includes(`${sep}_npx${sep}`)) {
    return {
      command: "npx",
      args: ["-y", "isc-identities-mcp"],
      kind: "npx",
      why: "npx started this server from the npm registry, so the host can start it the same way",
    };
  }
  const node = input.execPath;
  const root = ourPackageAbove(dirname(entry))?.root ?? dirname(entry);
  const args = [entry];
  const same = `the node that runs this server now and the entry file by absolute path, so the host starts this copy whatever its PATH`;
  if (!entry.includes(`${sep}node_modules${sep}`))
    return { command: node, args, kind: "checkout", why: `it runs from a checkout at ${root}: ${same}` };
  // npm's global folder is <prefix>/lib/node_modules (POSIX) or <prefix>\node_modules (Windows); the prefix defaults to node's own.
  const prefixes = [input.globalPrefix, dirname(dirname(input.execPath)), dirname(input.execPath)]
    .filter((p): p is string => Boolean(p))
    .map(real);
  const global = prefixes.some(
    (p) => entry.startsWith(join(p, "lib", "node_modules") + sep) || entry.startsWith(join(p, "node_modules") + sep),
  );
  if (global)
    return {
      command: node,
      args,
      kind: "global install",
      why: `it was installed globally (npm install -g) under ${root}: ${same}`,
    };
  return {
    command: node,
    args,
    kind: "local install",
    why: `it was installed into ${root} (npm install of the package or its tarball): ${same}`,
  };
}

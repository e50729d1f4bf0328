// vitest globalSetup: the shipped bundle's code cache goes in one folder of this run (every child inherits
// NODE_COMPILE_CACHE), never the user's ~/.cache, and the folder goes when the run ends.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "isc-test-compile-cache-"));
  process.env.NODE_COMPILE_CACHE = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}

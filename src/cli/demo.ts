// The `demo` command: runs the demo script (a client that starts this CLI against its sandbox) as a child process.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The demo's exit code. Resolved beside the entry, so the tsc build and the bundle each run their own demo. */
export function runDemo(entryUrl: string): Promise<number> {
  const script = fileURLToPath(new URL("../../scripts/demo.js", entryUrl));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], { stdio: "inherit" });
    child.on("error", (err) => {
      process.stderr.write(`isc-identities-mcp: could not run the demo (${err.message})\n`);
      resolve(2);
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

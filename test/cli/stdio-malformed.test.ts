// Over stdio, a line that is not JSON, or JSON that is no JSON-RPC message, gets a JSON-RPC error with id null; the server reads on.
import { afterEach, describe, expect, it } from "vitest";
import { cleanEnv, initialize, spawnCli, type RawCli } from "../support/cli-process.js";

let cli: RawCli | undefined;
afterEach(async () => {
  if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
    cli.child.kill("SIGKILL");
    await cli.exited;
  }
  cli = undefined;
});

type Message = { id?: unknown; result?: { tools?: unknown[] }; error?: { code: number; message: string } };
const messages = (c: RawCli): Message[] =>
  c
    .stdout()
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Message);

describe("malformed lines on stdio", () => {
  it("answers -32700 for a line that is not JSON and -32600 for one with no method, result or error, then the next request", async () => {
    const c = (cli = spawnCli(["--sandbox", "--log-level", "debug"], cleanEnv()));
    initialize(c);
    await c.response(0);
    c.child.stdin!.write('{"jsonrpc":"2.0","id":1,"method":"tools/list"\n');
    c.child.stdin!.write('{"jsonrpc":"2.0","id":2}\n');
    c.child.stdin!.write('"just a string"\n');
    c.send({ jsonrpc: "2.0", id: 3, method: "tools/list" });
    const listed = await c.response(3);
    // 9 of 12: under the default --confirm strict, a client without elicitation on a machine without a browser is not shown delete, reset and the reset email.
    expect((listed as Message).result?.tools?.length).toBe(9);
    // Every message on stdout is JSON-RPC: the answer to initialize, three errors in the order of the lines, the list.
    const out = messages(c);
    expect(out.map((m) => m.id)).toEqual([0, null, null, null, 3]);
    expect(out.slice(1, 4)).toEqual([
      { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: the line is not JSON." } },
      {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: "Invalid Request: not a JSON-RPC 2.0 request, notification or response." },
      },
      {
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: "Invalid Request: not a JSON-RPC 2.0 request, notification or response." },
      },
    ]);
    // stderr is a pipe of its own: its log lines may reach the test after the list's answer on stdout.
    const invalid = /stdio: answered a JSON line that is not a JSON-RPC message with -32600 \(id null\)/g;
    await c.awaitOutput("the log's two -32600 lines", () =>
      (c.stderr().match(invalid)?.length ?? 0) >= 2 ? true : undefined,
    );
    expect(c.stderr()).toContain("stdio: answered a line that is not JSON with -32700 (id null)");
    expect(c.stderr().match(invalid)).toHaveLength(2);
    // What the lines held is not logged.
    expect(c.stderr()).not.toContain("just a string");
    expect(c.child.exitCode).toBeNull();
  });
});

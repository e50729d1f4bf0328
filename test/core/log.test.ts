// Masking: secrets stay masked for the life of the process; access tokens only while they can still matter.
import { describe, expect, it } from "vitest";
import { createLogger, forgetSecrets, redact, registerSecret, registerToken } from "../../src/core/log.js";

describe("redact", () => {
  it("masks registered secrets and recent tokens wherever they appear", () => {
    registerSecret("client-secret-value");
    registerToken("token-aaaa");
    expect(redact("secret=client-secret-value&t=token-aaaa;again client-secret-value")).toBe(
      "secret=***&t=***;again ***",
    );
    const lines: string[] = [];
    createLogger("info", (l) => lines.push(l)).info("using token-aaaa");
    expect(lines).toEqual(["[isc-identities-mcp] info: using ***\n"]);
  });

  it("keeps only the newest access tokens, never forgets a secret", () => {
    registerSecret("long-lived-secret");
    for (let i = 0; i < 20; i++) registerToken(`rotating-token-${String(i).padStart(2, "0")}`);
    expect(redact("rotating-token-19")).toBe("***");
    expect(redact("rotating-token-12")).toBe("***");
    expect(redact("rotating-token-00")).toBe("rotating-token-00");
    expect(redact("long-lived-secret")).toBe("***");
  });

  it("forgets every secret and token only when told (each test file starts so: test/support/fresh-process-state.ts)", () => {
    registerSecret("one-file-secret");
    registerToken("one-file-token");
    expect(redact("one-file-secret one-file-token")).toBe("*** ***");
    forgetSecrets();
    expect(redact("one-file-secret one-file-token")).toBe("one-file-secret one-file-token");
  });
});

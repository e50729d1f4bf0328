// The page sign-in's cookie values (jose, HS256): what one key sealed as one kind, unexpired and unaltered, is all that unseals.
import { describe, expect, it } from "vitest";
import { cookieSeal } from "../../src/transports/http/sealed-cookie.js";

const KEY = "sealed-cookie-test-key-0123456789abcdef";

describe("cookieSeal", () => {
  it("unseals its own value of the same kind until it expires, to the second", async () => {
    let now = 1_700_000_000_000;
    const jar = cookieSeal(KEY, () => now);
    const sealed = await jar.seal("session", { sub: "ana", approver: true }, 15 * 60_000);
    expect(await jar.unseal("session", sealed)).toMatchObject({ sub: "ana", approver: true });
    now += 15 * 60_000 - 1;
    expect(await jar.unseal("session", sealed)).toMatchObject({ sub: "ana" });
    now += 1;
    expect(await jar.unseal("session", sealed)).toBeUndefined();
  });

  it("refuses the other kind, another key, an altered value and nothing at all", async () => {
    const jar = cookieSeal(KEY);
    const login = await jar.seal("login", { state: "s", page: "p" }, 60_000);
    // A login cookie is handed to whoever opens a page: it must never pass for a signed-in person.
    expect(await jar.unseal("session", login)).toBeUndefined();
    expect(await jar.unseal("login", login)).toMatchObject({ state: "s", page: "p" });
    expect(await cookieSeal(`${KEY}-other`).unseal("login", login)).toBeUndefined();
    const [header, payload, signature] = login.split(".");
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), page: "q" }),
    ).toString("base64url");
    expect(await jar.unseal("login", `${header}.${forged}.${signature}`)).toBeUndefined();
    expect(await jar.unseal("login", undefined)).toBeUndefined();
    expect(await jar.unseal("login", "not-a-cookie")).toBeUndefined();
  });
});

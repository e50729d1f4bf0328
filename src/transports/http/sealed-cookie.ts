// The values the page sign-in keeps in a browser's cookies: HS256-signed JWTs (jose), each saying what it is and when it ends.
import { jwtVerify, SignJWT, type JWTPayload } from "jose";

/** A login cookie (handed to anyone who opens a page) or a signed-in person's session cookie: one never unseals as the other. */
export type CookieKind = "login" | "session";

export interface CookieSeal {
  /** The value, signed, valid for `lifetimeMs` from now (to the second, rounded down). */
  seal(kind: CookieKind, value: JWTPayload, lifetimeMs: number): Promise<string>;
  /** The value if this key signed it as `kind` and it has not expired; undefined for anything else (forged, altered, old, absent). */
  unseal<T extends JWTPayload>(kind: CookieKind, sealed: string | undefined): Promise<T | undefined>;
}

/** `key`: a secret of at least 32 bytes (page-signin-setup.ts derives one); `now` is for tests. */
export function cookieSeal(key: string, now: () => number = Date.now): CookieSeal {
  const secret = new TextEncoder().encode(key);
  const typ = (kind: CookieKind) => `isc-mcp-${kind}+jwt`;
  return {
    async seal(kind, value, lifetimeMs) {
      return new SignJWT(value)
        .setProtectedHeader({ alg: "HS256", typ: typ(kind) })
        .setExpirationTime(Math.floor((now() + lifetimeMs) / 1000))
        .sign(secret);
    },
    async unseal<T extends JWTPayload>(kind: CookieKind, sealed: string | undefined) {
      if (!sealed) return undefined;
      try {
        const { payload } = await jwtVerify(sealed, secret, {
          algorithms: ["HS256"],
          typ: typ(kind),
          requiredClaims: ["exp"],
          currentDate: new Date(now()),
          clockTolerance: 0,
        });
        return payload as T;
      } catch {
        return undefined;
      }
    },
  };
}

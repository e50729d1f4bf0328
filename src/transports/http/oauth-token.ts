// Checks one bearer token: a JWT against the provider's keys (issuer, audience, time, algorithm), or an opaque one by introspection.
import { errors, jwtVerify, type JWTPayload } from "jose";
import type { Actor } from "../../guard/index.js";
import type { Issuer } from "./oauth-issuer.js";

export interface TokenPolicy {
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
  /** Claims that carry scopes: a space-separated string (RFC 9068 `scope`) or an array (`scp`, `roles`). */
  rightsClaims: readonly string[];
  introspection: boolean;
}

export interface Person {
  actor: Actor;
  scopes: string[];
  clientId: string;
  expiresAt: number | undefined;
}

/** invalid: the token is refused (401); unavailable: it could not be checked (503), which is never a yes. */
export type TokenCheck = { ok: true; person: Person } | { ok: false; kind: "invalid" | "unavailable"; why: string };

/** Asymmetric algorithms only: `none` and the HMAC family (a shared secret the provider would have to give us) are refused. */
const ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
];

/** Failures that are the token's fault; anything else (network, a broken key set) means the provider could not be asked. */
const TOKEN_FAULTS = new Set([
  errors.JWTExpired.code,
  errors.JWTClaimValidationFailed.code,
  errors.JWTInvalid.code,
  errors.JWSInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
]);

const JWT_SHAPE = /^[\w-]+\.[\w-]*\.[\w-]*$/;

export async function checkToken(token: string, issuer: Issuer, policy: TokenPolicy): Promise<TokenCheck> {
  if (JWT_SHAPE.test(token)) return checkJwt(token, issuer, policy);
  if (!policy.introspection)
    return {
      ok: false,
      kind: "invalid",
      why: "the token is not a JWT and this server does not introspect opaque tokens",
    };
  return checkOpaque(token, issuer, policy);
}

async function checkJwt(token: string, issuer: Issuer, policy: TokenPolicy): Promise<TokenCheck> {
  try {
    const keys = await issuer.keys();
    const { payload } = await jwtVerify(token, keys, {
      issuer: policy.issuer,
      audience: policy.audience,
      algorithms: ALGORITHMS,
      clockTolerance: policy.clockSkewSeconds,
      requiredClaims: ["exp", "sub"],
    });
    return { ok: true, person: personOf(payload, policy) };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code && TOKEN_FAULTS.has(code))
      return { ok: false, kind: "invalid", why: describe(err as Error & { code: string }) };
    return {
      ok: false,
      kind: "unavailable",
      why: `the identity provider ${policy.issuer} could not be reached to check the token (${(err as Error).message})`,
    };
  }
}

async function checkOpaque(token: string, issuer: Issuer, policy: TokenPolicy): Promise<TokenCheck> {
  let answer;
  try {
    answer = await issuer.introspect(token);
  } catch (err) {
    return {
      ok: false,
      kind: "unavailable",
      why: `the identity provider ${policy.issuer} could not introspect the token (${(err as Error).message})`,
    };
  }
  const now = Date.now() / 1000;
  const audiences = typeof answer.aud === "string" ? [answer.aud] : (answer.aud ?? []);
  if (!answer.active) return { ok: false, kind: "invalid", why: "the provider says the token is not active" };
  if (typeof answer.exp === "number" && answer.exp + policy.clockSkewSeconds < now)
    return { ok: false, kind: "invalid", why: "the token has expired" };
  if (typeof answer.nbf === "number" && answer.nbf - policy.clockSkewSeconds > now)
    return { ok: false, kind: "invalid", why: "the token is not valid yet" };
  // No audience means no proof the token was meant for this server: refused, like a JWT for someone else.
  if (!audiences.includes(policy.audience))
    return { ok: false, kind: "invalid", why: "the token was issued for another audience" };
  if (answer.iss !== undefined && answer.iss !== policy.issuer)
    return { ok: false, kind: "invalid", why: "the token comes from another issuer" };
  if (typeof answer.sub !== "string" || !answer.sub)
    return { ok: false, kind: "invalid", why: "the token names no person (sub)" };
  return { ok: true, person: personOf(answer as JWTPayload, policy) };
}

function describe(err: Error & { code: string; claim?: string }): string {
  if (err.code === errors.JWTExpired.code) return "the token has expired";
  if (err.code === errors.JWTClaimValidationFailed.code) {
    if (err.claim === "aud") return "the token was issued for another audience";
    if (err.claim === "iss") return "the token comes from another issuer";
    if (err.claim === "nbf") return "the token is not valid yet";
    return `the token's ${err.claim ?? "claims"} claim is not acceptable`;
  }
  if (err.code === errors.JOSEAlgNotAllowed.code) return "the token's signing algorithm is not accepted";
  if (err.code === errors.JWKSNoMatchingKey.code)
    return "the token is signed with a key the identity provider does not publish";
  if (err.code === errors.JWSSignatureVerificationFailed.code) return "the token's signature does not verify";
  return "the token is malformed";
}

function personOf(claims: JWTPayload, policy: TokenPolicy): Person {
  const scopes = new Set<string>();
  for (const claim of policy.rightsClaims) {
    const value = claims[claim];
    const list = typeof value === "string" ? value.split(" ") : Array.isArray(value) ? value : [];
    for (const s of list) if (typeof s === "string" && s) scopes.add(s);
  }
  // One display claim for the audit line; the rest of the token stays out of it.
  const display = [claims.preferred_username, claims.email].find(
    (v): v is string => typeof v === "string" && v.length > 0,
  );
  const actor: Actor = { sub: String(claims.sub), ...(display ? { name: display.slice(0, 256) } : {}) };
  const clientId = [claims.client_id, claims.azp].find((v): v is string => typeof v === "string") ?? "";
  return { actor, scopes: [...scopes], clientId, expiresAt: typeof claims.exp === "number" ? claims.exp : undefined };
}

// The fake `/oauth/token` endpoint (client credentials) and the bearer tokens it issues.
import { randomBytes } from "node:crypto";
import { SandboxError, json } from "./errors.js";
import type { ResolvedOptions } from "./types.js";

interface IssuedToken {
  clientId: string;
  expiresAt: number;
}

export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  constructor(
    private readonly options: ResolvedOptions,
    private readonly tenantId: string,
  ) {}

  /** Answers POST /oauth/token; credentials may come in the form body, the query, or HTTP Basic. */
  issue(body: string, query: URLSearchParams, headers: Headers): Response {
    const form = new URLSearchParams(body);
    const param = (name: string): string | null => form.get(name) ?? query.get(name);
    const grant = param("grant_type");
    if (!grant) return json(400, { error: "invalid_request", error_description: "Missing grant type" });
    if (grant !== "client_credentials") {
      return json(400, { error: "unsupported_grant_type", error_description: `Unsupported grant type: ${grant}` });
    }
    let clientId = param("client_id");
    let clientSecret = param("client_secret");
    const basic = /^Basic\s+(.+)$/i.exec(headers.get("authorization") ?? "");
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon > 0) {
        clientId = safeDecode(decoded.slice(0, colon));
        clientSecret = safeDecode(decoded.slice(colon + 1));
      }
    }
    if (clientId !== this.options.clientId || clientSecret !== this.options.clientSecret) {
      return json(401, { error: "invalid_client", error_description: "Bad client credentials" });
    }
    const token = randomBytes(24).toString("base64url");
    this.tokens.set(token, { clientId, expiresAt: this.options.now() + this.options.tokenTtlSeconds * 1000 });
    return json(200, {
      access_token: token,
      token_type: "bearer",
      expires_in: this.options.tokenTtlSeconds,
      scope: "sp:scopes:all",
      tenant_id: this.tenantId,
      pod: "sandbox",
      org: "sandbox",
      strong_auth_supported: false,
      claims_supported: false,
      strong_auth: false,
      jti: randomBytes(16).toString("hex"),
    });
  }

  /** The client id owning the request's bearer token, or a 401 error. */
  authenticate(headers: Headers): string {
    const header = headers.get("authorization");
    if (!header) throw new SandboxError(401, "JWT validation failed: JWT is missing", { "www-authenticate": "Bearer" });
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const issued = match?.[1] ? this.tokens.get(match[1]) : undefined;
    if (!issued) throw new SandboxError(401, "JWT validation failed: JWT is invalid", { "www-authenticate": "Bearer" });
    if (this.options.now() >= issued.expiresAt) {
      throw new SandboxError(401, "JWT validation failed: JWT is expired", { "www-authenticate": "Bearer" });
    }
    return issued.clientId;
  }

  expireAll(): void {
    for (const token of this.tokens.values()) token.expiresAt = Number.NEGATIVE_INFINITY;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

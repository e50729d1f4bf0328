// The identity provider as this server sees it: metadata discovered from the issuer, its signing keys, its introspection endpoint.
import { createRemoteJWKSet, type JWTVerifyGetKey } from "jose";
import * as oidc from "openid-client";
import { isLoopback } from "../../config/resolve.js";
import type { Logger } from "../../core/log.js";

export interface IssuerOptions {
  issuer: string;
  /** This server's own client, for introspection (and the confirmation page's sign-in). */
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  log: Logger;
  /** Shortest time between two key-set fetches caused by unknown `kid`s. @default 30_000 */
  jwksCooldownMs?: number;
  /** @default 5_000 */
  timeoutMs?: number;
}

export interface Issuer {
  /** Discovered once, retried on the next request after a failure (a provider that is down is never cached). */
  configuration(): Promise<oidc.Configuration>;
  /** The provider's key set: cached, fetched again for an unknown `kid` at most once per cooldown, and every 10 min. */
  keys(): Promise<JWTVerifyGetKey>;
  introspect(token: string): Promise<oidc.IntrospectionResponse>;
}

export function createIssuer(opts: IssuerOptions): Issuer {
  const url = new URL(opts.issuer);
  const timeoutMs = opts.timeoutMs ?? 5_000;
  // Plain http is accepted by the config only for loopback (tests, a provider on the same machine).
  const execute = url.protocol === "http:" && isLoopback(url.hostname) ? [oidc.allowInsecureRequests] : [];
  let discovered: Promise<oidc.Configuration> | undefined;
  let keySet: { uri: string; get: JWTVerifyGetKey } | undefined;

  async function discover(): Promise<oidc.Configuration> {
    const clientId = opts.clientId ?? "isc-identities-mcp";
    const auth = opts.clientSecret ? oidc.ClientSecretBasic(opts.clientSecret) : oidc.None();
    const options = { execute, timeout: timeoutMs / 1000 };
    try {
      return await oidc.discovery(url, clientId, opts.clientSecret, auth, { ...options, algorithm: "oidc" });
    } catch (first) {
      // Plain OAuth servers publish RFC 8414 metadata instead of OpenID Connect's; the first error explains a dead provider best.
      return oidc.discovery(url, clientId, opts.clientSecret, auth, { ...options, algorithm: "oauth2" }).catch(() => {
        throw first;
      });
    }
  }

  async function configuration(): Promise<oidc.Configuration> {
    discovered ??= discover().catch((err: unknown) => {
      discovered = undefined;
      throw err;
    });
    return discovered;
  }

  return {
    configuration,
    async keys() {
      const meta = (await configuration()).serverMetadata();
      if (!meta.jwks_uri) throw new Error(`the identity provider ${opts.issuer} publishes no jwks_uri`);
      if (keySet?.uri !== meta.jwks_uri) {
        keySet = {
          uri: meta.jwks_uri,
          get: createRemoteJWKSet(new URL(meta.jwks_uri), {
            cooldownDuration: opts.jwksCooldownMs ?? 30_000,
            timeoutDuration: timeoutMs,
            cacheMaxAge: 600_000,
          }),
        };
      }
      return keySet.get;
    },
    async introspect(token) {
      const config = await configuration();
      if (!config.serverMetadata().introspection_endpoint)
        throw new Error(`the identity provider ${opts.issuer} publishes no introspection_endpoint`);
      return oidc.tokenIntrospection(config, token);
    },
  };
}

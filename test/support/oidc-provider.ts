// Fixture: a real OpenID Connect provider (oidc-provider) on 127.0.0.1 issuing JWT access tokens for resource indicators.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import Provider, { interactionPolicy, type Configuration } from "oidc-provider";

export interface Account {
  sub: string;
  preferred_username?: string;
  email?: string;
  /** What this person may be granted; a request for more gets only these. */
  scopes: string[];
}

export interface OidcFixture {
  issuer: string;
  /** The provider's current signing key (private), to sign tokens the provider would never issue (expired, other issuer). */
  signingKey: JWK;
  /** An access token the provider itself issues for `resource`, as a JWT signed with its current key. */
  token(
    sub: string,
    scopes: string[],
    opts?: { resource?: string; ttlSeconds?: number; format?: "jwt" | "opaque" },
  ): Promise<string>;
  /** A new signing key at the provider, the old one still published (a provider's key rotation). */
  rotate(): Promise<void>;
  /** Registers a redirect URI of the test client (known once the server under test listens). */
  allowRedirect(uri: string): void;
  /** The provider goes down: connections are refused. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

/** A scope the person is not entitled to is left out of the token, as organisations' providers do, instead of asking them to consent. */
function entitlementPolicy() {
  const policy = interactionPolicy.base();
  policy.get("consent")?.checks.remove("rs_scopes_missing");
  return policy;
}

export const CLIENT = { id: "helpdesk-copilot", secret: "helpdesk-copilot-secret-0123456789" };

/** The MCP endpoint's resource indicator: the audience the tests' tokens are issued for. */
export const AUDIENCE = "https://mcp.helpdesk.test/mcp";

/** The server's sign-in flags against this provider (issuer, the audience above, the test client). */
export const signInArgs = (idp: Pick<OidcFixture, "issuer">): string[] => [
  "--oauth-issuer",
  idp.issuer,
  "--oauth-audience",
  AUDIENCE,
  "--oauth-client-id",
  CLIENT.id,
];

async function newKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  return {
    ...(await exportJWK(privateKey)),
    kid: `key-${Math.random().toString(36).slice(2, 10)}`,
    alg: "ES256",
    use: "sig",
  };
}

export async function startOidcProvider(opts: { accounts: Account[]; redirectUris?: string[] }): Promise<OidcFixture> {
  const accounts = new Map(opts.accounts.map((a) => [a.sub, a]));
  let current: Provider | undefined;
  const redirectUris = [...(opts.redirectUris ?? ["http://127.0.0.1/callback"])];
  const http: Server = createServer((req, res) => {
    if (!current) return void res.writeHead(503).end();
    const interaction = /^\/interaction\/([\w-]+)$/.exec((req.url ?? "").split("?")[0]!);
    if (interaction) return void signIn(current, req, res).catch(() => res.writeHead(500).end());
    void current.callback()(req, res);
  });

  /** The provider's login step: a plain form (login name only, this is a test), then straight back to the client. */
  async function signIn(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (req.method === "GET") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return void res.end(
        `<!doctype html><form method="post" action="/interaction/${details.uid}"><input name="login"><button>Sign in</button></form>`,
      );
    }
    let body = "";
    for await (const chunk of req) body += String(chunk);
    const login = new URLSearchParams(body).get("login") ?? "";
    if (!accounts.has(login))
      return provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "unknown user" },
        { mergeWithLastSubmission: false },
      );
    await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  }
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const keys: JWK[] = [await newKey()];

  const make = (): Provider => {
    const configuration: Configuration = {
      clients: [
        {
          client_id: CLIENT.id,
          client_secret: CLIENT.secret,
          redirect_uris: [...redirectUris],
          grant_types: ["authorization_code"],
          response_types: ["code"],
        },
      ],
      jwks: { keys: keys.map((k) => ({ ...k })) as never },
      scopes: ["openid", "profile", "email"],
      claims: { openid: ["sub"], profile: ["preferred_username"], email: ["email"] },
      findAccount: (_ctx, sub) => {
        const account = accounts.get(sub);
        if (!account) return undefined;
        return {
          accountId: sub,
          claims: () => ({
            sub,
            ...(account.preferred_username ? { preferred_username: account.preferred_username } : {}),
            ...(account.email ? { email: account.email } : {}),
          }),
        };
      },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: entitlementPolicy() },
      // Consent is the organisation's business, not the person's: the grant is what the account is entitled to.
      loadExistingGrant: async (ctx) => {
        const accountId = ctx.oidc.session?.accountId;
        const account = accountId ? accounts.get(accountId) : undefined;
        if (!account || !ctx.oidc.client) return undefined;
        const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: account.sub });
        grant.addOIDCScope("openid profile email");
        const resource = ctx.oidc.params?.resource;
        if (typeof resource === "string") grant.addResourceScope(resource, account.scopes.join(" "));
        else if (Array.isArray(resource))
          for (const r of resource) grant.addResourceScope(String(r), account.scopes.join(" "));
        await grant.save();
        return grant;
      },
      features: {
        devInteractions: { enabled: false },
        introspection: { enabled: true },
        resourceIndicators: {
          enabled: true,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, resource) => ({
            scope: "identities:read identities:write identities:destructive identities:approve",
            audience: resource,
            accessTokenFormat: "jwt",
            accessTokenTTL: 300,
            jwt: { sign: { alg: "ES256" } },
          }),
        },
      },
      // The display claims an access token carries, as many providers add them (RFC 9068 leaves it to the provider).
      extraTokenClaims: (_ctx, token) => {
        const account =
          "accountId" in token && typeof token.accountId === "string" ? accounts.get(token.accountId) : undefined;
        if (!account) return undefined;
        return {
          ...(account.preferred_username ? { preferred_username: account.preferred_username } : {}),
          ...(account.email ? { email: account.email } : {}),
        };
      },
      pkce: { required: () => true },
      ttl: { AccessToken: 300, AuthorizationCode: 60, Grant: 600, IdToken: 300, Interaction: 600, Session: 600 },
      // Only EC keys here: ID tokens default to RS256, which this provider could not sign.
      clientDefaults: { id_token_signed_response_alg: "ES256" },
    };
    const provider = new Provider(issuer, configuration);
    // oidc-provider warns on stderr about http and development settings; tests do not need to read it.
    return provider;
  };
  current = make();
  const stop = async () => {
    current = undefined;
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };

  return {
    issuer,
    get signingKey() {
      return keys[0]!;
    },
    async token(sub, scopes, tokenOpts = {}) {
      const provider = current!;
      const account = accounts.get(sub);
      if (!account) throw new Error(`no account ${sub}`);
      const client = await provider.Client.find(CLIENT.id);
      const resource = tokenOpts.resource ?? "";
      const granted = scopes.filter((s) => account.scopes.includes(s));
      const resourceServer = new provider.ResourceServer(resource, {
        scope: granted.join(" "),
        audience: resource,
        accessTokenFormat: tokenOpts.format ?? "jwt",
        accessTokenTTL: tokenOpts.ttlSeconds ?? 300,
        jwt: { sign: { alg: "ES256" } },
      });
      const token = new provider.AccessToken({
        accountId: sub,
        client,
        scope: granted.join(" "),
        resourceServer,
        gty: "authorization_code",
      } as never);
      return token.save();
    },
    allowRedirect(uri) {
      redirectUris.push(uri);
      current = make();
    },
    async rotate() {
      keys.unshift(await newKey());
      current = make();
    },
    stop,
    async close() {
      if (http.listening) await stop();
    },
  };
}

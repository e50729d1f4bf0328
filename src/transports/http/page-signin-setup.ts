// With sign-in over HTTP, the confirmation page signs the human in too: built from the settings, sharing one view of the provider with /mcp.
import { createHmac, randomBytes } from "node:crypto";
import type { Config } from "../../config/resolve.js";
import { registerSecret, type Logger } from "../../core/log.js";
import { oauthSettings, tokenPolicy, type OAuthConfig } from "./oauth-gate.js";
import { createIssuer, type Issuer } from "./oauth-issuer.js";
import { createPageSignIn, type PageSignIn } from "./page-signin.js";

export interface PageSignInSetup {
  signIn: PageSignIn;
  /** The provider as the page sees it; the /mcp gate uses the same one (one discovery, one key cache). */
  issuer: Issuer;
}

type SignInConfig = OAuthConfig & Pick<Config, "oauthScopeApprover" | "confirmKey">;

/** The cookies' key: from ISC_MCP_CONFIRM_KEY when set (every replica then reads every other's cookies), else one per process. */
function cookieKey(confirmKey: string | undefined): string {
  const key = confirmKey
    ? createHmac("sha256", confirmKey).update("confirmation page sign-in cookies").digest("base64url")
    : randomBytes(32).toString("base64url");
  registerSecret(key);
  return key;
}

/** The page sign-in, or undefined without OAuth; `publicBase` is where browsers reach the pages (known once the server listens). */
export function pageSignInFor(
  config: SignInConfig,
  publicBase: () => string | undefined,
  log: Logger,
): PageSignInSetup | undefined {
  const settings = oauthSettings(config);
  if (!settings) return undefined;
  // Called only where a page is shown (config/checks.ts pageShown), which with an issuer means --oauth-client-id is set.
  const issuer = createIssuer({
    issuer: settings.issuer,
    clientId: config.oauthClientId,
    clientSecret: config.oauthClientSecret,
    log,
  });
  const signIn = createPageSignIn({
    issuer,
    policy: tokenPolicy(config, settings),
    publicBase,
    approverScope: config.oauthScopeApprover,
    key: cookieKey(config.confirmKey),
    log,
  });
  return { signIn, issuer };
}

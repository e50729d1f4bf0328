// How a message names a tenant setting: by the variable or flag that set it, or by the file it came from, so the user
// edits the place the value really came from.

/** Where the tenant's settings came from (the config resolution's notes): a variable, a flag, or a file's path. */
export interface SettingSources {
  baseUrl?: string;
  clientId?: string;
  clientSecret?: string;
}

/** The base URL as a message names it: its variable or flag, else "the base URL (from <file, or --tenant acme>)". */
export function baseUrlLabel(from = "SAIL_BASE_URL"): string {
  return /^(SAIL_BASE_URL|--base-url)$/.test(from) ? from : `the base URL (from ${from})`;
}

/** A variable or a flag names itself; anything else is a file (./config.json, whose keys SailPoint's SDK spells so). */
const SELF_NAMED = /^(SAIL_|ISC_MCP_|--)/;

/** "SAIL_CLIENT_ID and SAIL_CLIENT_SECRET", "ClientId and ClientSecret in /home/ada/config.json", or one of each. */
export function credentialsLabel(idFrom = "SAIL_CLIENT_ID", secretFrom = "SAIL_CLIENT_SECRET"): string {
  if (idFrom === secretFrom && !SELF_NAMED.test(idFrom)) return `ClientId and ClientSecret in ${idFrom}`;
  const one = (from: string, key: string) => (SELF_NAMED.test(from) ? from : `${key} in ${from}`);
  return `${one(idFrom, "ClientId")} and ${one(secretFrom, "ClientSecret")}`;
}

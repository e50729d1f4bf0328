// The URLs a config names (tenant root, public page URL, OAuth issuer and audience): checked and normalised, or refused.
import { ConfigError } from "../core/errors.js";
import { baseUrlLabel } from "./labels.js";

export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, "");
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Checks and normalises the tenant root: https (or loopback http), no path, no version suffix. `from` is where the value
 * came from (a variable, a flag, a file): the message names it, or the user edits the wrong place.
 */
export function normaliseBaseUrl(raw: string, from = "SAIL_BASE_URL"): string {
  const label = baseUrlLabel(from);
  const what = label[0]!.toUpperCase() + label.slice(1);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(
      `${what} is not a URL: "${raw}". Use the tenant root, e.g. https://acme.api.identitynow.com.`,
    );
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new ConfigError(`${what} must use https (plain http is only allowed for loopback addresses): "${raw}".`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(
      `${what} must be a plain tenant root without credentials, query or fragment: "${url.origin}".`,
    );
  }
  // The tenant's web address (what the browser shows) is the most common wrong value; its API lives on TENANT.api.….
  const ui = /^([a-z0-9-]+)\.(identitynow(?:-demo)?\.com)$/i.exec(url.hostname);
  if (ui) {
    throw new ConfigError(
      `${what} ${url.origin} is the tenant's web address, not its API: did you mean https://${ui[1]!.toLowerCase()}.api.${ui[2]!.toLowerCase()}?`,
    );
  }
  const path = url.pathname.replace(/\/+$/, "");
  if (path !== "") {
    throw new ConfigError(
      `${what} must be the tenant root without a path or version (got "${path}"), e.g. ${url.origin}.`,
    );
  }
  return url.origin;
}

/**
 * The base of confirmation page URLs: http(s) only, https off loopback (a page id read on the wire
 * could answer the page), no credentials, query or fragment; always ends with "/".
 */
export function normalisePublicUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(
      `--public-url is not a URL: "${raw}". Use the address users' browsers reach this server at, e.g. https://mcp.example.com.`,
    );
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new ConfigError(`--public-url must use https (plain http only on loopback addresses): "${raw}".`);
  }
  if (url.username || url.password || url.search || url.hash)
    throw new ConfigError(`--public-url must not carry credentials, a query or a fragment: "${url.origin}".`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}/`;
}

/** https (or loopback http), no credentials or fragment: the URL an OAuth setting names. */
export function oauthUrl(raw: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${flag} is not a URL: "${raw}".`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname))) {
    throw new ConfigError(`${flag} must use https (plain http only for loopback addresses): "${raw}".`);
  }
  if (url.username || url.password || url.hash)
    throw new ConfigError(`${flag} must not carry credentials or a fragment: "${url.origin}${url.pathname}".`);
  return url;
}

// Builds ISC paths from a template: every interpolated id is checked and URL-encoded, so no argument can reach another path.
import { IscError } from "../core/errors.js";

/** Identity, assignment, job and task ids: 32-hex in practice, UUIDs for jobs; never slashes, dots or spaces. */
// `\w` is exactly [A-Za-z0-9_] (no u flag) and costs fewer tokens in every tools/list that carries this pattern.
export const ID_PATTERN = /^[\w-]{1,64}$/;

export function isValidId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/**
 * Tagged template: `apiPath\`identities/${id}/reset\`` → "identities/<encoded id>/reset".
 * Throws `invalid_input` for a value that is not an id, before any request is made.
 */
export function apiPath(strings: TemplateStringsArray, ...values: string[]): string {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    if (typeof value !== "string" || !isValidId(value)) {
      throw new IscError({
        kind: "invalid_input",
        message: `"${String(value).slice(0, 80)}" is not a valid id: ids are 1–64 letters, digits, "-" or "_" (identity ids are 32 hex characters).`,
      });
    }
    out += encodeURIComponent(value) + (strings[i + 1] ?? "");
  });
  return out;
}

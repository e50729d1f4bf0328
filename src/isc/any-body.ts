// The two loosest answers a request can expect, made once: a zod schema costs its making, and these were made on every call.
import * as z from "zod";

/** Any body: the caller checks it itself (a view's reader) or only needs the status. */
export const ANY_BODY = z.unknown();

/** A JSON array of anything, named for the error text when ISC sends something else. */
export const ANY_LIST = z.array(z.unknown()).describe("a list");

// Imported first by the CLI entry, before any zod schema exists: zod's object schemas then parse without compiling a
// parser of their own (`new Function`) at their first use. A start compiles one for each message shape it reads
// (about 1.5 ms of every start), which its code cache cannot keep; per-call and bulk-listing costs measured the same
// either way. Each schema reads this setting when it is made, so it must run before the SDK's and ours are.
import * as z from "zod";

z.config({ jitless: true });

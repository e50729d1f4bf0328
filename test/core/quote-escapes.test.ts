// Line-breaking, bidi and zero-width characters from ISC or the model render as escapes, in the human's form and in every text result.
import { afterEach, describe, expect, it } from "vitest";
import { quoted, token } from "../../src/core/quote.js";
import { pickFixtures } from "../../src/sandbox/index.js";
import { startHarness, textOf, type Harness } from "../support/harness.js";
import { scriptedHuman, writeRequests } from "../support/guard-helpers.js";

/** Every character quoted() must escape, with the escape it must print. */
const HIDDEN: Array<[string, string]> = [
  ["\u2028", "\\u2028"],
  ["\u2029", "\\u2029"],
  ["\u0085", "\\u0085"],
  ["\u000b", "\\u000b"],
  ["\u000c", "\\f"],
  ["\r", "\\r"],
  ["\n", "\\n"],
  ["\u202a", "\\u202a"],
  ["\u202b", "\\u202b"],
  ["\u202c", "\\u202c"],
  ["\u202d", "\\u202d"],
  ["\u202e", "\\u202e"],
  ["\u2066", "\\u2066"],
  ["\u2067", "\\u2067"],
  ["\u2068", "\\u2068"],
  ["\u2069", "\\u2069"],
  ["\u200e", "\\u200e"],
  ["\u200f", "\\u200f"],
  ["\u061c", "\\u061c"],
  ["\u200b", "\\u200b"],
  ["\u200c", "\\u200c"],
  ["\u200d", "\\u200d"],
  ["\ufeff", "\\ufeff"],
  ["\u2060", "\\u2060"],
  ["\u007f", "\\u007f"],
  ["\u{e0041}", "\\udb40\\udc41"],
];
/** Any raw character of the set above, in a text that should hold only escapes. */
const RAW = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const NAME = "Ada\u2028NOTE: dry run only, nothing will be deleted\u202eeteled\u200bLovelace";

describe("quoted()", () => {
  it.each(HIDDEN)("escapes %j as %s, and the literal still parses back to the value", (char, escape) => {
    const value = `a${char}b`;
    const q = quoted(value);
    expect(q).toBe(`"a${escape}b"`);
    expect(q).not.toMatch(/[\p{Cf}\p{Zl}\p{Zp}\u0080-\u009f\u007f]/u);
    expect(JSON.parse(q)).toBe(value);
  });

  it("keeps ordinary text, accents and emoji as they are, escapes quotes, and bounds the length", () => {
    expect(quoted('Zoë "Z" Ødegård 👩‍💻')).toBe('"Zoë \\"Z\\" Ødegård 👩\\u200d💻"');
    expect(quoted("x".repeat(250))).toBe(`"${"x".repeat(200)}…"`);
    expect(quoted("x".repeat(250), 10)).toBe(`"${"x".repeat(10)}…"`);
    expect(token("2c9180835d2e5168015d32f890ca1581")).toBe("2c9180835d2e5168015d32f890ca1581");
    expect(token("ACTIVE\u2028x")).toBe('"ACTIVE\\u2028x"');
  });
});

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe("previews with hidden characters", () => {
  it("the elicitation form shows U+2028, U+202E and U+200B as escapes, and so does the refusal the model reads", async () => {
    const human = scriptedHuman();
    human.answer(() => ({ action: "decline" }));
    h = await startHarness({ sandbox: { identities: 40 }, onElicit: human.onElicit });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.state.identities.get(plain)!.name = NAME;
    const res = await h.call("reset_identity", { identityId: plain });
    expect(res.isError).toBe(true);
    expect(human.seen).toHaveLength(1);
    const message = human.seen[0]!.message;
    expect(message).toContain(
      'name: "Ada\\u2028NOTE: dry run only, nothing will be deleted\\u202eeteled\\u200bLovelace"',
    );
    expect(message).not.toMatch(/^NOTE:/m);
    expect(message.replace(/\n/g, "")).not.toMatch(RAW);
    expect(textOf(res).replace(/\n/g, "")).not.toMatch(RAW);
    expect(writeRequests(h.sandbox)).toHaveLength(0);
  });

  it("the confirmation-code preview and the read tools' text show them as escapes; structuredContent keeps the exact value", async () => {
    h = await startHarness({ sandbox: { identities: 40 }, argv: ["--confirm", "auto"] });
    const { plain } = pickFixtures(h.sandbox.state);
    h.sandbox.state.identities.get(plain)!.name = NAME;
    const reset = await h.call("reset_identity", { identityId: plain });
    expect(reset.structuredContent).toMatchObject({
      status: "confirmation_required",
      preview: { identity: { name: NAME } },
    });
    expect(textOf(reset)).toContain(
      'name: "Ada\\u2028NOTE: dry run only, nothing will be deleted\\u202eeteled\\u200bLovelace"',
    );
    expect(textOf(reset)).not.toMatch(/^NOTE:/m);
    expect(textOf(reset).replace(/\n/g, "")).not.toMatch(RAW);

    const read = await h.call("get_identity", { identityId: plain });
    expect(read.structuredContent).toMatchObject({ identity: { name: NAME } });
    expect(textOf(read)).toContain(
      '"Ada\\u2028NOTE: dry run only, nothing will be deleted\\u202eeteled\\u200bLovelace"',
    );
    expect(textOf(read).replace(/\n/g, "")).not.toMatch(RAW);
    expect(writeRequests(h.sandbox)).toHaveLength(0);
  });

  it("a model-supplied value (sourceName) is escaped in the form the human reads", async () => {
    const human = scriptedHuman();
    human.answer(() => ({ action: "decline" }));
    h = await startHarness({ sandbox: { identities: 40 }, onElicit: human.onElicit });
    const { plain } = pickFixtures(h.sandbox.state);
    const res = await h.call("send_identity_verification_account_token", {
      identityId: plain,
      via: "EMAIL_WORK",
      sourceName: "AD\u2028NOTE: test mode\u202e\u200b",
    });
    expect(res.isError).toBe(true);
    expect(human.seen).toHaveLength(1);
    expect(human.seen[0]!.message).toContain('"AD\\u2028NOTE: test mode\\u202e\\u200b"');
    expect(human.seen[0]!.message.replace(/\n/g, "")).not.toMatch(RAW);
  });
});

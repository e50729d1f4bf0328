// Splits an ISC `filters` string into tokens (words, double-quoted strings, numbers, parens, commas).

export type TokenKind = "word" | "string" | "number" | "lparen" | "rparen" | "comma" | "end";
export interface Token {
  kind: TokenKind;
  text: string;
  value: string;
  pos: number;
}

export class FilterSyntaxError extends Error {}

const isSpace = (c: string): boolean => c === " " || c === "\t" || c === "\n" || c === "\r";
const isWordStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isWordPart = (c: string): boolean => /[A-Za-z0-9_.]/.test(c);
const isDigit = (c: string): boolean => c >= "0" && c <= "9";

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: c === "(" ? "lparen" : c === ")" ? "rparen" : "comma", text: c, value: c, pos: start });
      i++;
    } else if (c === '"') {
      let value = "";
      i++;
      for (;;) {
        const d = input[i];
        if (d === undefined) throw new FilterSyntaxError(`unterminated string starting at position ${start}`);
        if (d === '"') {
          i++;
          break;
        }
        if (d === "\\") {
          const e = input[i + 1];
          if (e !== '"' && e !== "\\") {
            throw new FilterSyntaxError(
              `unsupported escape "\\${e ?? ""}" at position ${i}; only \\" and \\\\ are allowed`,
            );
          }
          value += e;
          i += 2;
        } else {
          value += d;
          i++;
        }
      }
      tokens.push({ kind: "string", text: input.slice(start, i), value, pos: start });
    } else if (isDigit(c) || (c === "-" && isDigit(input[i + 1] ?? ""))) {
      i++;
      while (i < input.length && /[0-9.]/.test(input[i] as string)) i++;
      const text = input.slice(start, i);
      tokens.push({ kind: "number", text, value: text, pos: start });
    } else if (isWordStart(c)) {
      while (i < input.length && isWordPart(input[i] as string)) i++;
      const text = input.slice(start, i);
      tokens.push({ kind: "word", text, value: text, pos: start });
    } else if (c === "'") {
      throw new FilterSyntaxError(`single quotes at position ${start}: strings must be double-quoted`);
    } else {
      throw new FilterSyntaxError(`unexpected character "${c}" at position ${start}`);
    }
  }
  tokens.push({ kind: "end", text: "end of filter", value: "", pos: input.length });
  return tokens;
}

// Recursive-descent parser for ISC `filters` (identities by default, tasks with their own field table): checks fields, operators and values.
import { FilterSyntaxError, tokenize, type Token } from "./filter-tokenizer.js";

export type FilterField =
  | "id"
  | "name"
  | "alias"
  | "firstname"
  | "lastname"
  | "email"
  | "cloudStatus"
  | "processingState"
  | "correlated"
  | "protected";

export type FilterNode<F extends string = FilterField> =
  | { kind: "and" | "or"; left: FilterNode<F>; right: FilterNode<F> }
  | { kind: "not"; operand: FilterNode<F> }
  | { kind: "eq" | "sw"; field: F; value: string | boolean }
  | { kind: "in"; field: F; values: string[] }
  | { kind: "isnull"; field: F };

export type FieldTable<F extends string> = Readonly<Record<F, { ops: readonly string[]; type: "string" | "boolean" }>>;

/** The listIdentities operation's filterable fields and their operators, from the spec. */
export const FILTER_FIELDS: FieldTable<FilterField> = {
  id: { ops: ["eq", "in"], type: "string" },
  name: { ops: ["eq", "sw"], type: "string" },
  alias: { ops: ["eq", "sw"], type: "string" },
  firstname: { ops: ["eq", "sw"], type: "string" },
  lastname: { ops: ["eq", "sw"], type: "string" },
  email: { ops: ["eq", "sw"], type: "string" },
  cloudStatus: { ops: ["eq"], type: "string" },
  processingState: { ops: ["eq"], type: "string" },
  correlated: { ops: ["eq"], type: "boolean" },
  protected: { ops: ["eq"], type: "boolean" },
};

/** Operators of the ISC filter language in general; known here so the error can say "not supported". */
const KNOWN_OPS = new Set(["eq", "ne", "co", "sw", "gt", "ge", "lt", "le", "in", "pr", "isnull", "ca"]);

export function parseFilter(input: string): FilterNode;
export function parseFilter<F extends string>(input: string, fields: FieldTable<F>): FilterNode<F>;
export function parseFilter(input: string, fields: FieldTable<string> = FILTER_FIELDS): FilterNode<string> {
  const tokens = tokenize(input);
  let at = 0;
  const peek = (): Token => tokens[at] as Token;
  const take = (): Token => tokens[at++] as Token;
  const describe = (t: Token): string => (t.kind === "end" ? "end of filter" : `"${t.text}" at position ${t.pos}`);
  const expect = (kind: Token["kind"], what: string): Token => {
    const t = take();
    if (t.kind !== kind) throw new FilterSyntaxError(`expected ${what} but found ${describe(t)}`);
    return t;
  };

  const value = (field: string): string | boolean => {
    const t = take();
    const spec = fields[field] as FieldTable<string>[string];
    if (spec.type === "boolean") {
      if (t.kind === "word" && (t.text === "true" || t.text === "false")) return t.text === "true";
      throw new FilterSyntaxError(`field "${field}" takes true or false (unquoted) but found ${describe(t)}`);
    }
    if (t.kind === "string") return t.value;
    throw new FilterSyntaxError(`field "${field}" takes a double-quoted string but found ${describe(t)}`);
  };

  const comparison = (): FilterNode<string> => {
    const f = take();
    if (f.kind !== "word") throw new FilterSyntaxError(`expected a field name but found ${describe(f)}`);
    if (!Object.hasOwn(fields, f.text)) {
      throw new FilterSyntaxError(
        `field "${f.text}" is not supported; filterable fields: ${Object.keys(fields).join(", ")}`,
      );
    }
    const field = f.text;
    const o = take();
    if (o.kind !== "word")
      throw new FilterSyntaxError(`expected an operator after "${field}" but found ${describe(o)}`);
    const op = o.text;
    const allowed = (fields[field] as FieldTable<string>[string]).ops;
    if (!allowed.includes(op)) {
      if (KNOWN_OPS.has(op))
        throw new FilterSyntaxError(
          `operator "${op}" is not supported for field "${field}" (supported: ${allowed.join(", ")})`,
        );
      if (KNOWN_OPS.has(op.toLowerCase()))
        throw new FilterSyntaxError(`operators are lowercase: use "${op.toLowerCase()}" instead of "${op}"`);
      throw new FilterSyntaxError(`unknown operator "${op}" at position ${o.pos}`);
    }
    if (op === "isnull") return { kind: "isnull", field };
    if (op === "in") {
      expect("lparen", `"(" after "in"`);
      const values: string[] = [];
      for (;;) {
        values.push(value(field) as string);
        const sep = take();
        if (sep.kind === "rparen") break;
        if (sep.kind !== "comma")
          throw new FilterSyntaxError(`expected "," or ")" in the "in" list but found ${describe(sep)}`);
      }
      return { kind: "in", field, values };
    }
    return { kind: op as "eq" | "sw", field, value: value(field) };
  };

  const unary = (): FilterNode<string> => {
    const t = peek();
    if (t.kind === "word" && t.text === "not") {
      take();
      return { kind: "not", operand: unary() };
    }
    if (t.kind === "lparen") {
      take();
      const inner = or();
      expect("rparen", `")"`);
      return inner;
    }
    return comparison();
  };

  const chain = (word: "and" | "or", next: () => FilterNode<string>): FilterNode<string> => {
    let left = next();
    while (peek().kind === "word" && peek().text === word) {
      take();
      left = { kind: word, left, right: next() };
    }
    return left;
  };
  const and = (): FilterNode<string> => chain("and", unary);
  const or = (): FilterNode<string> => chain("or", and);

  const tree = or();
  const rest = peek();
  if (rest.kind !== "end") {
    if (rest.kind === "word" && ["and", "or", "not"].includes(rest.text.toLowerCase())) {
      throw new FilterSyntaxError(
        `logical operators are lowercase: use "${rest.text.toLowerCase()}" instead of "${rest.text}"`,
      );
    }
    throw new FilterSyntaxError(`unexpected ${describe(rest)}; expected "and", "or" or end of filter`);
  }
  return tree;
}

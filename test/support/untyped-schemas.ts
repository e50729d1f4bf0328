// Walks a JSON Schema and names every subschema that says nothing about its value: `{}` or no type/anyOf/enum/const/$ref.

const SAYS_WHAT = ["type", "anyOf", "oneOf", "allOf", "enum", "const", "$ref"];
type Node = Record<string, unknown>;

/** Paths like `out.raw` or `in.ids[]` of the untyped subschemas under `schema` (itself included). */
export function untypedSchemas(schema: unknown, path: string): string[] {
  const found: string[] = [];
  const visit = (node: unknown, at: string): void => {
    if (!node || typeof node !== "object" || Array.isArray(node) || !SAYS_WHAT.some((k) => k in node)) {
      found.push(at);
      return;
    }
    const n = node as Node;
    for (const [key, sub] of Object.entries((n.properties as Node | undefined) ?? {})) visit(sub, `${at}.${key}`);
    if (n.items !== undefined) visit(n.items, `${at}[]`);
    if (n.additionalProperties !== undefined && typeof n.additionalProperties === "object")
      visit(n.additionalProperties, `${at}{*}`);
    for (const key of ["anyOf", "oneOf", "allOf"])
      (n[key] as unknown[] | undefined)?.forEach((sub, i) => visit(sub, `${at}|${key}[${i}]`));
  };
  visit(schema, path);
  return found;
}

/** Paths of the object subschemas under an input schema that are open to unknown keys. */
export function openObjects(schema: unknown, path: string): string[] {
  const found: string[] = [];
  const visit = (node: unknown, at: string): void => {
    if (!node || typeof node !== "object") return;
    const n = node as Node;
    if (n.type === "object" && n.additionalProperties !== false) found.push(at);
    for (const [key, sub] of Object.entries((n.properties as Node | undefined) ?? {})) visit(sub, `${at}.${key}`);
    if (n.items !== undefined) visit(n.items, `${at}[]`);
    for (const key of ["anyOf", "oneOf", "allOf"])
      (n[key] as unknown[] | undefined)?.forEach((sub, i) => visit(sub, `${at}|${key}[${i}]`));
  };
  visit(schema, path);
  return found;
}

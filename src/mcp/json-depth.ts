// How deep a JSON value nests, found without recursion, so that a hostile value cannot exhaust the stack being measured.

/**
 * The path to the first array or object nested more than `limit` levels deep (the value itself is level 1), or
 * undefined when none is. Walks with its own stack and stops at the first one found.
 */
export function pathPastDepth(value: unknown, limit: number): Array<string | number> | undefined {
  const pending: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value: v, path } = next;
    if (v === null || typeof v !== "object") continue;
    if (path.length >= limit) return path;
    if (Array.isArray(v)) v.forEach((item, i) => pending.push({ value: item, path: [...path, i] }));
    else for (const [key, item] of Object.entries(v)) pending.push({ value: item, path: [...path, key] });
  }
  return undefined;
}

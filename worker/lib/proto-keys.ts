import { ApiError } from "./errors";

const PROTO = "__proto__";

/**
 * Refuses a parsed JSON body that holds a key named __proto__ anywhere (400). JSON.parse makes it an own
 * key, which schema validation would drop without a word (zod records skip it), so the sender would never
 * learn that part of its input was ignored; the beacon endpoint refuses such bodies the same way.
 */
export function refuseProtoKeys(value: unknown, what: string): void {
  // Iterative: a deeply nested body must not exhaust the stack.
  const stack: { value: unknown; path: string }[] = [{ value, path: "" }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const current = item.value;
    if (current === null || typeof current !== "object") continue;
    if (Array.isArray(current)) {
      current.forEach((v, i) => stack.push({ value: v, path: `${item.path}[${i}]` }));
      continue;
    }
    for (const key of Object.keys(current)) {
      const path = item.path ? `${item.path}.${key}` : key;
      if (key === PROTO) throw new ApiError("bad_request", `invalid ${what}: ${path}: no key may be named ${PROTO}`);
      stack.push({ value: (current as Record<string, unknown>)[key], path });
    }
  }
}

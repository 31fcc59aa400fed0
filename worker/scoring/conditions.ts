import type { Condition } from "./rules";

type Value = string | number | boolean;

const same = (a: Value, b: Value) => (typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : a === b);

/** Does a value (a trait, an event property) pass a rule's test? Missing values never do. */
export function passes(value: unknown, c: Condition): boolean {
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") return false;
  if (c.equals !== undefined) return same(value, c.equals);
  if (c.oneOf !== undefined) return c.oneOf.some((option) => same(value, option));
  if (c.contains !== undefined) return typeof value === "string" && value.toLowerCase().includes(c.contains.toLowerCase());
  // A numeric range; numbers sent as strings ("250") count too.
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  if (!Number.isFinite(n)) return false;
  return (c.min === undefined || n >= c.min) && (c.max === undefined || n <= c.max);
}

/** The file name and lowercase extension of a downloaded file's URL or path. */
export function fileOf(file: unknown): { name: string; ext: string } | null {
  if (typeof file !== "string" || file === "") return null;
  const path = file.split(/[?#]/)[0] ?? "";
  const name = decodeURIComponentSafe(path.slice(path.lastIndexOf("/") + 1));
  const dot = name.lastIndexOf(".");
  return { name, ext: dot > 0 ? name.slice(dot + 1).toLowerCase() : "" };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

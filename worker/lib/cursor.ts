import { ApiError } from "./errors";

/** An opaque page cursor: the sort key of the last item given out, as URL-safe base64 JSON. */
export function encodeCursor(parts: readonly (string | number)[]): string {
  return btoa(JSON.stringify(parts)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/** The parts of a cursor this API gave out, checked by `read`; a 400 for anything else. */
export function decodeCursor<T>(raw: string, read: (parts: unknown[]) => T | undefined): T {
  try {
    const parts: unknown = JSON.parse(atob(raw.replaceAll("-", "+").replaceAll("_", "/")));
    const value = Array.isArray(parts) ? read(parts) : undefined;
    if (value !== undefined) return value;
  } catch {
    // fall through to the 400 below
  }
  throw new ApiError("bad_request", "invalid query: cursor is not one this API gave out");
}

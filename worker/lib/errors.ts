import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The closed set of error codes every endpoint answers with. */
export const errorCodes = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof errorCodes;

/** An error with a code from the closed set; onError turns it into the JSON envelope. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get status(): ContentfulStatusCode {
    return errorCodes[this.code];
  }
}

/** The one error envelope: `{"error":{"code","message"}}`. */
export function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
}

/**
 * The 503 for a storage failure (D1 unreachable, overloaded, a lost connection): logged in full, answered
 * with Retry-After. Only for write paths that are atomic and idempotent, where a retry is always safe.
 */
export function storageUnavailable(err: unknown): ApiError {
  console.error("storage failure", err);
  return new ApiError("unavailable", "storage is unavailable; retry shortly", { "Retry-After": "1" });
}

/** Hono onError: known errors keep their code; anything else is logged and answered as a bare 500. */
export function onError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return c.json(errorBody(err.code, err.message), err.status, err.headers);
  // Details (stack, SQL) go to the log only.
  console.error("unhandled error", err);
  return c.json(errorBody("internal", "internal error"), 500);
}

/** Hono notFound: unknown paths answer in the same envelope. */
export function onNotFound(c: Context): Response {
  return c.json(errorBody("not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404);
}

import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";

const encoder = new TextEncoder();

async function digest(value: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(value));
}

/** Compares two secrets in constant time (hashing first makes the lengths equal). */
export async function sameSecret(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([digest(a), digest(b)]);
  return crypto.subtle.timingSafeEqual(x, y);
}

/** Requires `Authorization: Bearer <API_TOKEN>`; answers 401 otherwise. */
export const requireToken = createMiddleware<AppEnv>(async function requireToken(c, next) {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const challenge = { "WWW-Authenticate": 'Bearer realm="leadscore"' };
  if (!match) throw new ApiError("unauthorized", "missing bearer token", challenge);
  const expected = c.env.API_TOKEN;
  if (!expected || !(await sameSecret(match[1] as string, expected))) {
    throw new ApiError("unauthorized", "invalid bearer token", challenge);
  }
  await next();
});

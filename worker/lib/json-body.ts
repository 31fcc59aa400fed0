import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";

const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

/**
 * Parses every API request body once, before any route sees it: a body that is not JSON is a 400 in the
 * error envelope on every route alike. Hono keeps the parsed value, so the routes' validators read it again
 * for free. (A body is parsed whatever its Content-Type says; validate() then asks for application/json where a
 * route's schema reads the body. A request without a body passes unless it says it carries JSON.)
 */
export const jsonBodies = createMiddleware<AppEnv>(async function jsonBodies(c, next) {
  const claimsJson = /json/i.test(c.req.header("content-type") ?? "");
  if (WITH_BODY.has(c.req.method) && (c.req.raw.body !== null || claimsJson)) {
    try {
      await c.req.json();
    } catch (err) {
      throw new ApiError("bad_request", `body is not valid JSON: ${(err as Error).message}`);
    }
  }
  await next();
});

import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";
import { refuseProtoKeys } from "./proto-keys";

const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

/**
 * Parses every API request body once, before any route sees it: a body that is not JSON is a 400 in the
 * error envelope on every route alike. Hono keeps the parsed value, so the routes' validators read it again
 * for free. (A body is parsed whatever its Content-Type says; validate() then asks for application/json where a
 * route's schema reads the body. A request without a body passes unless it says it carries JSON.)
 */
export const jsonBodies = createMiddleware<AppEnv>(async function jsonBodies(c, next) {
  const claimsJson = /json/i.test(c.req.header("content-type") ?? "");
  // An empty body that does not claim to be JSON is no body (`curl -X POST` sends one to routes that take none).
  if (WITH_BODY.has(c.req.method) && (c.req.raw.body !== null || claimsJson) && (claimsJson || (await c.req.text()) !== "")) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch (err) {
      throw new ApiError("bad_request", `body is not valid JSON: ${(err as Error).message}`);
    }
    // A __proto__ key would be dropped by the schemas without a word; the beacon refuses it too.
    refuseProtoKeys(body, "body");
  }
  await next();
});

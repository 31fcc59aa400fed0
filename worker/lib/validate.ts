import { zValidator } from "@hono/zod-validator";
import type { Context, ValidationTargets } from "hono";
import type { z } from "zod";
import { ApiError } from "./errors";

/** Turns zod issues into one readable sentence that names each field, e.g. `rules[2].points: Too big`. */
export function describeIssues(error: { issues: readonly z.core.$ZodIssue[] }, label?: (path: PropertyKey[]) => string | undefined): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
      const named = label?.(issue.path);
      const where = [path, named].filter(Boolean).join(" ");
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join("; ");
}

/** How an error names where the input was: "invalid body: name: ..." rather than "invalid json". */
const PLACE: Partial<Record<keyof ValidationTargets, string>> = { json: "body", query: "query", param: "path", header: "header" };

/**
 * A JSON body must say so (Hono's validator reads no other content type); otherwise a 400 that says so,
 * instead of a schema error about fields of a body that was never read. (Whether it parses is checked once
 * for every API route, before this: see jsonBodies.)
 */
function requireJsonBody(c: Context): void {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([a-z0-9.+-]+\+)?json\b/i.test(type)) {
    throw new ApiError("bad_request", `the body must be JSON sent with Content-Type: application/json${type ? ` (got ${type.slice(0, 100)})` : ""}`);
  }
}

/** zValidator whose failures become the project's 400 envelope. */
export function validate<T extends keyof ValidationTargets, S extends z.ZodType>(target: T, schema: S) {
  const check = zValidator(target, schema, (result) => {
    if (!result.success) throw new ApiError("bad_request", `invalid ${PLACE[target] ?? target}: ${describeIssues(result.error)}`);
  });
  if (target !== "json") return check;
  // Same middleware type as zValidator's, so routes keep its typed c.req.valid("json").
  const withJson: typeof check = async (c, next) => {
    requireJsonBody(c);
    return check(c, next);
  };
  return withJson;
}

import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
import { ApiError } from "./errors";
import { refuseProtoKeys } from "./proto-keys";

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

/** zValidator whose failures become the project's 400 envelope; a JSON body with a __proto__ key is refused too. */
export function validate<T extends keyof ValidationTargets, S extends z.ZodType>(target: T, schema: S) {
  const check = zValidator(target, schema, (result) => {
    if (!result.success) throw new ApiError("bad_request", `invalid ${target}: ${describeIssues(result.error)}`);
  });
  if (target !== "json") return check;
  const guarded: typeof check = async (c, next) => {
    // A body that is no JSON at all is the validator's to refuse.
    refuseProtoKeys(await c.req.json().catch(() => undefined), target);
    return check(c, next);
  };
  return guarded;
}

import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
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

/** Parses a value with a schema or throws a 400 that says which fields are wrong. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ApiError("bad_request", `invalid ${what}: ${describeIssues(result.error)}`);
  return result.data;
}

/** zValidator whose failures become the project's 400 envelope. */
export function validate<T extends keyof ValidationTargets, S extends z.ZodType>(target: T, schema: S) {
  return zValidator(target, schema, (result) => {
    if (!result.success) throw new ApiError("bad_request", `invalid ${target}: ${describeIssues(result.error)}`);
  });
}

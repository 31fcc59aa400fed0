import { z } from "zod";
import { operations, type Operation } from "./operations";

type JsonSchema = Record<string, unknown>;

/** A zod schema as JSON Schema 2020-12 (what OpenAPI 3.1's default dialect extends): requests as they are sent, answers as they come. */
export function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  // Refinements and transforms have no JSON Schema form: the document shows the shape, the route checks the rest.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonSchema;
  return rest;
}

/** Hono's `/api/sites/:site` as OpenAPI's `/api/sites/{site}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function parameters(op: Operation): JsonSchema[] {
  const path = Object.entries(op.params ?? {}).map(([name, schema]) => ({ name, in: "path", required: true, schema: jsonSchema(schema, "input") }));
  if (!op.query) return path;
  const query = jsonSchema(op.query, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
  const inQuery = Object.entries(query.properties ?? {}).map(([name, schema]) => ({
    name,
    in: "query",
    required: query.required?.includes(name) ?? false,
    schema,
    ...(op.queryExample?.[name] === undefined ? {} : { example: op.queryExample[name] }),
  }));
  return [...path, ...inQuery];
}

function operation(op: Operation): JsonSchema {
  const responses = Object.fromEntries(
    Object.entries(op.responses).map(([status, r]) => [
      status,
      {
        description: r.description,
        ...(r.schema || r.contentType
          ? { content: { [r.contentType ?? "application/json"]: { ...(r.schema ? { schema: jsonSchema(r.schema, "output") } : {}), ...(r.example === undefined ? {} : { example: r.example }) } } }
          : {}),
      },
    ]),
  );
  return {
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    operationId: `${op.method}${op.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
    ...(op.scope ? { security: [{ bearer: [] }], "x-leadscore-scope": op.scope } : { security: [] }),
    parameters: parameters(op),
    ...(op.body ? { requestBody: { required: true, content: { [op.body.contentType ?? "application/json"]: { schema: jsonSchema(op.body.schema, "input"), example: op.body.example } } } } : {}),
    responses,
  };
}

let built: JsonSchema | undefined;

/** The OpenAPI 3.1 document of the collector, built once per isolate from the routes' schemas. */
export function openApiDocument(): JsonSchema {
  if (built) return built;
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of operations) (paths[openApiPath(op.path)] ??= {})[op.method] = operation(op);
  built = {
    openapi: "3.1.0",
    info: {
      title: "leadscore",
      version: "0.1.0",
      description:
        "Lead scoring for websites: the beacon the tracker sends to, and the API for scores, rules, prospect lists and accounts. Every error is `{\"error\":{\"code\",\"message\"}}`. Token scopes: admin (everything), read (GET routes), ingest (server-side events); a token may be limited to some sites.",
      license: { name: "MIT", identifier: "MIT" },
    },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "an API token (lsk_…) or the API_TOKEN secret" } } },
    paths,
  };
  return built;
}

import { Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/index";
import { openApiPath } from "../../worker/openapi/document";
import { operations } from "../../worker/openapi/operations";
import { api, call, createSite, event, signedIdentify, track } from "../support/api";

type Json = Record<string, unknown>;
type Doc = { openapi: string; paths: Record<string, Record<string, Json>> };

// Pages for people, not API: the console's HTML routes are not in the API document.
const NOT_API = [/^\/app(\/|$)/];

async function doc(): Promise<Doc> {
  const res = await call("/api/openapi.json");
  expect(res.status).toBe(200);
  return res.json();
}

function check(schema: unknown, value: unknown): string[] {
  const result = new Validator(schema as Json, "2020-12", false).validate(value);
  return result.errors.map((e) => `${e.instanceLocation}: ${e.error}`);
}

/** The JSON schema the document gives an answer of an operation. */
function answerSchema(d: Doc, method: string, path: string, status: number): unknown {
  const content = (d.paths[path]?.[method]?.responses as Record<string, { content?: Record<string, { schema?: unknown }> }>)[String(status)]?.content;
  const schema = content?.["application/json"]?.schema;
  if (!schema) throw new Error(`no schema for ${method} ${path} ${status}`);
  return schema;
}

describe("the OpenAPI document", () => {
  it("is public, OpenAPI 3.1, and lists exactly the routes the app registers", async () => {
    const d = await doc();
    expect(d.openapi).toBe("3.1.0");
    const registered = new Set(
      app.routes
        .filter((r) => r.method !== "ALL" && !NOT_API.some((re) => re.test(r.path)))
        .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`),
    );
    const documented = new Set(Object.entries(d.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
    expect([...registered].filter((r) => !documented.has(r)), "registered but not documented").toEqual([]);
    expect([...documented].filter((r) => !registered.has(r)), "documented but not registered").toEqual([]);
  });

  it("gives every protected operation its scope and the bearer scheme, and public ones none", async () => {
    const d = await doc();
    for (const op of operations) {
      const entry = d.paths[openApiPath(op.path)]?.[op.method] as Json;
      expect(entry.security, `${op.method} ${op.path}`).toEqual(op.scope ? [{ bearer: [] }] : []);
    }
  });

  it("has examples that validate against their schemas, in the document and in the routes' zod schemas", async () => {
    const d = await doc();
    let examples = 0;
    for (const op of operations) {
      const entry = d.paths[openApiPath(op.path)]?.[op.method] as { requestBody?: { content: Record<string, { schema: unknown; example: unknown }> }; parameters: { name: string; schema: unknown; example?: unknown }[]; responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }> };
      const where = `${op.method} ${op.path}`;
      if (op.body) {
        const media = Object.values(entry.requestBody?.content ?? {})[0];
        expect(check(media?.schema, media?.example), `${where} body example`).toEqual([]);
        expect(op.body.schema.safeParse(op.body.example).success, `${where} body example (zod)`).toBe(true);
        examples += 1;
      }
      for (const p of entry.parameters.filter((p) => p.example !== undefined)) {
        expect(check(p.schema, p.example), `${where} ${p.name} example`).toEqual([]);
        examples += 1;
      }
      const asText = Object.fromEntries(Object.entries(op.queryExample ?? {}).map(([k, v]) => [k, String(v)]));
      if (op.queryExample) expect(op.query?.safeParse(asText).success, `${where} query example (zod)`).toBe(true);
      for (const [status, r] of Object.entries(entry.responses)) {
        const media = Object.values(r.content ?? {})[0];
        if (media?.example === undefined) continue;
        expect(check(media.schema, media.example), `${where} ${status} example`).toEqual([]);
        examples += 1;
      }
    }
    expect(examples).toBeGreaterThan(15);
  });

  it("describes what the API really answers", async () => {
    const d = await doc();
    await createSite("acme", undefined, { webhookUrl: "https://hooks.example/x" });
    // Signed by the site's backend: only a verified email finds its lead.
    await track("acme", "visitor-0001", event("pageview", "/contact"), await signedIdentify("acme", "ana@acme.example", { company: "Acme", title: "CTO" }));
    await api("/api/sites/acme/events", "POST", { email: "bo@example.com", events: [{ id: "mail-000001", type: "email_open", at: Date.now() }] });
    const token = await api("/api/tokens", "POST", { name: "sales", scope: "read", sites: ["acme"] });
    // The check can fail: an answer with a field the document does not declare is refused.
    expect(check(answerSchema(d, "get", "/api/sites/{site}/visitors", 200), { visitors: [], nextCursor: null, total: 1 })).not.toEqual([]);
    const answers: [string, string, number, Response][] = [
      ["get", "/api/sites", 200, await api("/api/sites")],
      ["get", "/api/sites/{site}", 200, await api("/api/sites/acme")],
      ["post", "/api/tokens", 201, token],
      ["get", "/api/tokens", 200, await api("/api/tokens")],
      ["get", "/api/sites/{site}/rules", 200, await api("/api/sites/acme/rules")],
      ["post", "/api/sites/{site}/rules/preview", 200, await api("/api/sites/acme/rules/preview", "POST", { prospectAt: 1, rules: [] })],
      ["get", "/api/sites/{site}/visitors", 200, await api("/api/sites/acme/visitors")],
      ["get", "/api/sites/{site}/visitors/{id}", 200, await api("/api/sites/acme/visitors/ana@acme.example")],
      ["get", "/api/sites/{site}/visitors/{id}/history", 200, await api("/api/sites/acme/visitors/visitor-0001/history")],
      ["get", "/api/sites/{site}/visitors/{id}/events", 200, await api("/api/sites/acme/visitors/visitor-0001/events")],
      ["get", "/api/sites/{site}/prospects", 200, await api("/api/sites/acme/prospects")],
      ["get", "/api/sites/{site}/accounts", 200, await api("/api/sites/acme/accounts")],
      ["get", "/api/sites/{site}/visitors/{id}", 404, await api("/api/sites/acme/visitors/nobody-0001")],
      ["put", "/api/sites/{site}/rules", 202, await api("/api/sites/acme/rules", "PUT", await (await api("/api/sites/acme/rules")).json())],
      ["get", "/api/sites/{site}/rules/jobs", 200, await api("/api/sites/acme/rules/jobs")],
      ["get", "/api/sites/{site}/jobs", 200, await api("/api/sites/acme/jobs")],
      ["get", "/api/sites/{site}/webhook-failures", 200, await api("/api/sites/acme/webhook-failures")],
      ["patch", "/api/sites/{site}", 200, await api("/api/sites/acme", "PATCH", { name: "Acme" })],
      ["delete", "/api/sites/{site}/visitors/{id}", 200, await api("/api/sites/acme/visitors/visitor-0001", "DELETE")],
      ["get", "/healthz", 200, await call("/healthz")],
      ["post", "/api/sites/{site}/identity-secret", 200, await api("/api/sites/acme/identity-secret", "POST")],
      ["post", "/api/sites/{site}/events", 202, await api("/api/sites/acme/events", "POST", { visitorId: "visitor-0001", events: [{ id: "mail-000002", type: "email_open", at: Date.now() }] })],
    ];
    for (const [method, path, status, res] of answers) {
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(check(answerSchema(d, method, path, status), await res.json()), `${method} ${path} ${status}`).toEqual([]);
    }
  });
});

describe("the API reference page", () => {
  it("is served without a token, loads only this origin's scripts and forbids inline ones", async () => {
    const res = await call("/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    const html = await res.text();
    expect(html).not.toMatch(/<script>|https?:\/\//);
    expect([...html.matchAll(/src="([^"]+)"/g)].map((m) => m[1])).toEqual(["/api-docs/swagger-ui-bundle.js", "/api-docs/init.js"]);
  });
});

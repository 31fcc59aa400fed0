import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { app } from "../../worker/index";
import { sha256Hex } from "../../worker/lib/hash";
import { api, call, createSite, tableCounts } from "../support/api";

type Scope = "admin" | "read" | "ingest";
const SCOPES: Scope[] = ["admin", "read", "ingest"];

// Every API route: its pattern as registered, a concrete path, a body where it takes one, and the token
// scopes that may call it. A route added to the app without a line here fails the coverage test below.
const routes: { method: string; pattern: string; path: string; body?: unknown; scopes: Scope[] }[] = [
  { method: "POST", pattern: "/api/tokens", path: "/api/tokens", body: { name: "ci", scope: "read" }, scopes: ["admin"] },
  { method: "GET", pattern: "/api/tokens", path: "/api/tokens", scopes: ["admin"] },
  { method: "DELETE", pattern: "/api/tokens/:id", path: "/api/tokens/tok_AAAAAAAAAAAAAAAA", scopes: ["admin"] },
  { method: "GET", pattern: "/api/sites", path: "/api/sites", scopes: ["admin", "read"] },
  { method: "POST", pattern: "/api/sites", path: "/api/sites", body: { name: "x", origins: ["https://x.example"] }, scopes: ["admin"] },
  { method: "GET", pattern: "/api/sites/:site", path: "/api/sites/acme", scopes: ["admin", "read"] },
  { method: "PATCH", pattern: "/api/sites/:site", path: "/api/sites/acme", body: { name: "Renamed" }, scopes: ["admin"] },
  { method: "GET", pattern: "/api/sites/:site/rules", path: "/api/sites/acme/rules", scopes: ["admin", "read"] },
  { method: "PUT", pattern: "/api/sites/:site/rules", path: "/api/sites/acme/rules", body: { prospectAt: 1, rules: [] }, scopes: ["admin"] },
  { method: "POST", pattern: "/api/sites/:site/rules/preview", path: "/api/sites/acme/rules/preview", body: { prospectAt: 1, rules: [] }, scopes: ["admin"] },
  { method: "GET", pattern: "/api/sites/:site/rules/jobs", path: "/api/sites/acme/rules/jobs", scopes: ["admin", "read"] },
  { method: "GET", pattern: "/api/sites/:site/rules/jobs/:id", path: "/api/sites/acme/rules/jobs/rescore-none", scopes: ["admin", "read"] },
  { method: "GET", pattern: "/api/sites/:site/jobs", path: "/api/sites/acme/jobs", scopes: ["admin", "read"] },
  { method: "GET", pattern: "/api/sites/:site/jobs/:id", path: "/api/sites/acme/jobs/daily-2026-01-01", scopes: ["admin", "read"] },
  { method: "GET", pattern: "/api/sites/:site/webhook-failures", path: "/api/sites/acme/webhook-failures", scopes: ["admin", "read"] },
  { method: "GET", pattern: "/api/sites/:site/visitors", path: "/api/sites/acme/visitors", scopes: ["admin", "read"] },
  { method: "GET", pattern: "/api/sites/:site/visitors/:id", path: "/api/sites/acme/visitors/visitor-0001", scopes: ["admin", "read"] },
  { method: "GET", pattern: "/api/sites/:site/visitors/:id/history", path: "/api/sites/acme/visitors/visitor-0001/history", scopes: ["admin", "read"] },
  { method: "GET", pattern: "/api/sites/:site/visitors/:id/events", path: "/api/sites/acme/visitors/visitor-0001/events", scopes: ["admin", "read"] },
  { method: "DELETE", pattern: "/api/sites/:site/visitors/:id", path: "/api/sites/acme/visitors/visitor-0001", scopes: ["admin"] },
  { method: "GET", pattern: "/api/sites/:site/prospects", path: "/api/sites/acme/prospects", scopes: ["admin", "read"] },
  { method: "GET", pattern: "/api/sites/:site/accounts", path: "/api/sites/acme/accounts", scopes: ["admin", "read"] },
  { method: "POST", pattern: "/api/sites/:site/identity-secret", path: "/api/sites/acme/identity-secret", scopes: ["admin"] },
  { method: "POST", pattern: "/api/sites/:site/events", path: "/api/sites/acme/events", body: { visitorId: "visitor-0001", events: [{ id: "event-0001", type: "email_open", at: Date.now() }] }, scopes: ["admin", "ingest"] },
];

/** Creates a token through the API with the bootstrap token and answers its secret and id. */
async function newToken(scope: Scope, name = `${scope} token`): Promise<{ secret: string; id: string }> {
  const res = await api("/api/tokens", "POST", { name, scope });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { secret: string; token: { id: string } };
  return { secret: body.secret, id: body.token.id };
}

function send(route: (typeof routes)[number], authorization?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (authorization) headers.authorization = authorization;
  return call(route.path, { method: route.method, headers, body: route.body === undefined ? undefined : JSON.stringify(route.body) });
}

// The API's reference (its OpenAPI document and the page that shows it) is public on purpose.
const PUBLIC_API = ["GET /api/openapi.json", "GET /api/docs"];

it("lists every /api route of the app in the table above", () => {
  const registered = new Set(
    app.routes.filter((r) => r.path.startsWith("/api/") && r.method !== "ALL" && !PUBLIC_API.includes(`${r.method} ${r.path}`)).map((r) => `${r.method} ${r.path}`),
  );
  expect([...registered].sort()).toEqual(routes.map((r) => `${r.method} ${r.pattern}`).sort());
});

it.each(PUBLIC_API)("serves %s without a token", async (route) => {
  const [method, path] = route.split(" ") as [string, string];
  expect((await call(path, { method })).status).toBe(200);
});

describe.each(routes)("$method $pattern", (route) => {
  let tokens: Record<Scope, string>;
  let revoked: string;
  beforeEach(async () => {
    await createSite();
    tokens = { admin: (await newToken("admin")).secret, read: (await newToken("read")).secret, ingest: (await newToken("ingest")).secret };
    const gone = await newToken("admin", "revoked");
    expect((await api(`/api/tokens/${gone.id}`, "DELETE")).status).toBe(200);
    revoked = gone.secret;
  });

  it.each([
    ["no token", async () => undefined],
    ["a wrong token", async () => "Bearer not-the-token"],
    ["a malformed header", async () => "Basic dGVzdC10b2tlbg=="],
    ["a revoked token", async () => `Bearer ${revoked}`],
    ["a token's stored hash instead of the token", async () => `Bearer ${await sha256Hex(tokens.admin)}`],
  ])("answers 401 with %s and changes nothing", async (_name, authorization) => {
    const before = await tableCounts();
    const res = await send(route, await authorization());
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    expect(await tableCounts()).toEqual(before);
  });

  it.each(SCOPES.filter((s) => !route.scopes.includes(s)))("answers 403 to a %s token and changes nothing", async (scope) => {
    const before = await tableCounts();
    const res = await send(route, `Bearer ${tokens[scope]}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: "forbidden", message: expect.any(String) } });
    expect(await tableCounts()).toEqual(before);
  });

  it.each(route.scopes)("lets a %s token through", async (scope) => {
    const res = await send(route, `Bearer ${tokens[scope]}`);
    expect([401, 403]).not.toContain(res.status);
    expect(res.status).toBeLessThan(500);
  });
});

describe("API tokens", () => {
  it("shows a new token's secret once and stores only its SHA-256 hash", async () => {
    const res = await api("/api/tokens", "POST", { name: "Sales dashboard", scope: "read" });
    expect(res.status).toBe(201);
    const { secret, token } = (await res.json()) as { secret: string; token: { id: string } };
    expect(secret).toMatch(/^lsk_[A-Za-z0-9_-]{43}$/);
    expect(token).toEqual({ id: expect.stringMatching(/^tok_/), name: "Sales dashboard", scope: "read", sites: null, createdAt: expect.any(String), revokedAt: null });

    const row = await env.DB.prepare("SELECT * FROM api_tokens WHERE id = ?").bind(token.id).first<Record<string, unknown>>();
    expect(row?.hash).toBe(await sha256Hex(secret));
    expect(Object.values(row ?? {})).not.toContain(secret);

    const list = (await (await api("/api/tokens")).json()) as { tokens: Record<string, unknown>[] };
    expect(list.tokens).toEqual([token]);
    expect(JSON.stringify(list)).not.toContain(secret);
    expect(JSON.stringify(list)).not.toContain(row?.hash);
  });

  it("stops accepting a token the moment it is revoked, and keeps it listed as revoked", async () => {
    await createSite();
    const { secret, id } = await newToken("read");
    const asReader = () => call("/api/sites/acme/visitors", { headers: { authorization: `Bearer ${secret}` } });
    expect((await asReader()).status).toBe(200);
    const res = await api(`/api/tokens/${id}`, "DELETE");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { token: { revokedAt: string | null } }).token.revokedAt).not.toBeNull();
    expect((await asReader()).status).toBe(401);
    expect((await api(`/api/tokens/${id}`, "DELETE")).status).toBe(200);
    const list = (await (await api("/api/tokens")).json()) as { tokens: { id: string; revokedAt: string | null }[] };
    expect(list.tokens.map((t) => [t.id, t.revokedAt !== null])).toEqual([[id, true]]);
  });

  it("lets an admin token made through the API make and revoke tokens", async () => {
    const admin = await newToken("admin");
    const res = await call("/api/tokens", {
      method: "POST",
      headers: { authorization: `Bearer ${admin.secret}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "made by admin", scope: "ingest" }),
    });
    expect(res.status).toBe(201);
  });

  it.each([
    ["an unknown scope", "POST", "/api/tokens", { name: "x", scope: "owner" }, 400],
    ["no name", "POST", "/api/tokens", { scope: "read" }, 400],
    ["a name of spaces", "POST", "/api/tokens", { name: "   ", scope: "read" }, 400],
    ["an unknown field", "POST", "/api/tokens", { name: "x", scope: "read", expires: 1 }, 400],
    ["an unknown token id", "DELETE", "/api/tokens/tok_BBBBBBBBBBBBBBBB", undefined, 404],
    ["a malformed token id", "DELETE", "/api/tokens/not-a-token", undefined, 400],
  ])("answers %s with %i and changes nothing", async (_name, method, path, body, status) => {
    const before = await tableCounts();
    const res = await api(path, method, body);
    expect(res.status).toBe(status);
    expect(Object.keys(((await res.json()) as { error: object }).error)).toEqual(["code", "message"]);
    expect(await tableCounts()).toEqual(before);
  });
});

it("answers unknown paths in the error envelope", async () => {
  const res = await call("/nope");
  expect(res.status).toBe(404);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
});

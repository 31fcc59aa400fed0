import { describe, expect, it } from "vitest";
import { call, createSite } from "../support/api";

// Every API route, with a body where it takes one.
const routes: [string, string, unknown?][] = [
  ["GET", "/api/sites"],
  ["POST", "/api/sites", { name: "x", origins: ["https://x.example"] }],
  ["GET", "/api/sites/acme/rules"],
  ["PUT", "/api/sites/acme/rules", { prospectAt: 1, rules: [] }],
  ["POST", "/api/sites/acme/rules/preview", { prospectAt: 1, rules: [] }],
  ["GET", "/api/sites/acme/visitors"],
  ["GET", "/api/sites/acme/visitors/visitor-0001"],
  ["GET", "/api/sites/acme/prospects"],
  ["POST", "/api/sites/acme/events", { visitorId: "visitor-0001", events: [{ id: "event-0001", type: "email_open", at: Date.now() }] }],
];

describe.each(routes)("%s %s", (method, path, body) => {
  it.each([
    ["no token", undefined],
    ["a wrong token", "Bearer not-the-token"],
    ["a malformed header", "Basic dGVzdC10b2tlbg=="],
  ])("answers 401 with %s and changes nothing", async (_name, authorization) => {
    await createSite();
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (authorization) headers.authorization = authorization;
    const res = await call(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: expect.any(String) } });
    const sites = await call("/api/sites", { headers: { authorization: "Bearer test-token" } });
    expect(((await sites.json()) as { sites: unknown[] }).sites).toHaveLength(1);
  });
});

it("answers unknown paths in the error envelope", async () => {
  const res = await call("/nope");
  expect(res.status).toBe(404);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
});

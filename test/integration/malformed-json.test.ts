import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../worker/index";
import { CHROME_UA, ORIGIN, TOKEN, call, createSite, tableCounts, track, event } from "../support/api";

/** Every route that takes a body, with a path to send it to; the test below checks the list is complete. */
const ROUTES: [method: string, path: string][] = [
  ["POST", "/e"],
  ["POST", "/api/tokens"],
  ["POST", "/api/sites"],
  ["PATCH", "/api/sites/acme"],
  ["PUT", "/api/sites/acme/rules"],
  ["POST", "/api/sites/acme/rules/preview"],
  ["POST", "/api/sites/acme/events"],
  ["POST", "/api/sites/acme/identity-secret"],
];

const MALFORMED: [string, string][] = [
  ["cut short", '{"name": "x"'],
  ["a trailing comma", '{"name": "x",}'],
  ["not JSON at all", "name=x"],
  ["single quotes", "{'name': 'x'}"],
  ["a bare word", "undefined"],
];

/**
 * The JSON routes as written in the app, as "METHOD /path/:param" with the site param filled in. The
 * console's pages (/app) take HTML form posts, not JSON, and are tested in console.test.ts.
 */
function routesWithBodies(): string[] {
  const withBody = new Set(["POST", "PUT", "PATCH"]);
  const found = app.routes.filter((r) => withBody.has(r.method) && !r.path.startsWith("/app")).map((r) => `${r.method} ${r.path.replace(":site", "acme").replace(/\/$/, "")}`);
  return [...new Set(found)].sort();
}

describe("malformed JSON", () => {
  it("the table covers every route that takes a body", () => {
    expect(ROUTES.map(([m, p]) => `${m} ${p}`).sort()).toEqual(routesWithBodies());
  });

  const cases = ROUTES.flatMap(([method, path]) =>
    MALFORMED.flatMap(([name, body]) => ["application/json", "text/plain;charset=UTF-8"].map((type) => [method, path, name, type, body] as const)),
  );

  it.each(cases)("%s %s with %s as %s: 400 in the error envelope, nothing changed", async (method, path, _name, type, body) => {
    await createSite("acme");
    await track("acme", "visitor-json1", event("pageview", "/"));
    const before = await tableCounts();
    const res = await call(path, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": type, origin: ORIGIN, "user-agent": CHROME_UA }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "bad_request", message: expect.stringMatching(/JSON/) } });
    expect(await tableCounts()).toEqual(before);
  });

  it.each(ROUTES.filter(([, p]) => p !== "/e"))("%s %s saying JSON with no body: 400", async (method, path) => {
    await createSite("acme");
    const res = await app.fetch(new Request(`https://collector.test${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" } }), env);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_request");
  });
});

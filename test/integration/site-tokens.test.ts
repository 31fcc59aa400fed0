import { describe, expect, it } from "vitest";
import { api, call, createSite, event, track } from "../support/api";

async function tokenFor(scope: "admin" | "read" | "ingest", sites?: string[]): Promise<string> {
  const res = await api("/api/tokens", "POST", { name: `${scope} for ${sites?.join("+") ?? "all"}`, scope, ...(sites ? { sites } : {}) });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { secret: string; token: { sites: string[] | null } };
  expect(body.token.sites).toEqual(sites ?? null);
  return body.secret;
}

const as = (secret: string, path: string, init: RequestInit = {}) =>
  call(path, { ...init, headers: { authorization: `Bearer ${secret}`, "content-type": "application/json", ...init.headers } });

describe("tokens limited to some sites", () => {
  it("reads its own sites, gets 403 on any other, and lists only its sites", async () => {
    await createSite("site-a");
    await createSite("site-b");
    await createSite("site-c");
    await track("site-b", "visitor-b001", event("pageview"));
    const reader = await tokenFor("read", ["site-a", "site-c"]);

    for (const path of ["/api/sites/site-a", "/api/sites/site-a/visitors", "/api/sites/site-a/rules", "/api/sites/site-c/prospects"]) {
      expect((await as(reader, path)).status, path).toBe(200);
    }
    for (const path of ["/api/sites/site-b", "/api/sites/site-b/visitors", "/api/sites/site-b/visitors/visitor-b001", "/api/sites/site-b/accounts", "/api/sites/nowhere/visitors"]) {
      const res = await as(reader, path);
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    }
    const list = (await (await as(reader, "/api/sites")).json()) as { sites: { id: string }[] };
    expect(list.sites.map((s) => s.id)).toEqual(["site-a", "site-c"]);
  });

  it("lets a limited admin change its sites but not other sites, tokens or new sites", async () => {
    await createSite("site-a");
    await createSite("site-b");
    const admin = await tokenFor("admin", ["site-a"]);
    expect((await as(admin, "/api/sites/site-a", { method: "PATCH", body: JSON.stringify({ name: "A" }) })).status).toBe(200);
    expect((await as(admin, "/api/sites/site-b", { method: "PATCH", body: JSON.stringify({ name: "B" }) })).status).toBe(403);
    expect((await as(admin, "/api/sites", { method: "POST", body: JSON.stringify({ name: "C", origins: ["https://c.example"] }) })).status).toBe(403);
    expect((await as(admin, "/api/tokens", { method: "POST", body: JSON.stringify({ name: "escalate", scope: "admin" }) })).status).toBe(403);
    expect((await as(admin, "/api/tokens")).status).toBe(403);
    // An encoded site id is the same site.
    expect((await as(admin, "/api/sites/site%2Db")).status).toBe(403);
    expect((await api("/api/sites/site-b")).status).toBe(200);
  });

  it("sends server-side events only to its sites", async () => {
    await createSite("site-a");
    await createSite("site-b");
    const ingest = await tokenFor("ingest", ["site-a"]);
    const body = JSON.stringify({ email: "ana@example.com", events: [{ id: "evt-00000001", type: "email_open", at: Date.now() }] });
    expect((await as(ingest, "/api/sites/site-a/events", { method: "POST", body })).status).toBe(202);
    expect((await as(ingest, "/api/sites/site-b/events", { method: "POST", body })).status).toBe(403);
  });

  it.each([
    ["an empty list", []],
    ["a site listed twice", ["site-a", "site-a"]],
    ["an invalid site id", ["Site A"]],
  ])("refuses a token with %s", async (_name, sites) => {
    const res = await api("/api/tokens", "POST", { name: "x", scope: "read", sites });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^invalid body: sites/);
  });
});

import { describe, expect, it } from "vitest";
import { api, call, createSite, TOKEN } from "../support/api";
import { CONSOLE_ORIGIN, signIn } from "../support/console";

async function newToken(scope: "admin" | "read" | "ingest"): Promise<string> {
  const res = await api("/api/tokens", "POST", { name: `${scope} console`, scope });
  return ((await res.json()) as { secret: string }).secret;
}

describe("console sign-in", () => {
  it("sends a visitor without a session to the sign-in page, keeping where they were going", async () => {
    await createSite();
    const res = await call("/app/sites/acme/leads?q=x", { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/app/sign-in?next=%2Fapp%2Fsites%2Facme%2Fleads%3Fq%3Dx");
  });

  it("turns a token into an HttpOnly, Secure, SameSite=Strict session cookie for /app", async () => {
    await createSite();
    const res = await call("/app/sign-in", {
      method: "POST",
      headers: { origin: CONSOLE_ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: "test-token", next: "/app/sites/acme/settings" }),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/app/sites/acme/settings");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^leadscore_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/app");
  });

  it.each([
    ["an unknown token", "lsk_nope"],
    ["an ingest token", "ingest"],
  ])("refuses %s with the form again and no cookie", async (_, token) => {
    const secret = token === "ingest" ? await newToken("ingest") : token;
    const res = await call("/app/sign-in", {
      method: "POST",
      headers: { origin: CONSOLE_ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: secret }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.text()).toContain("That token is unknown");
  });

  it("refuses a sign-in posted from another origin", async () => {
    const res = await call("/app/sign-in", {
      method: "POST",
      headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: "test-token" }),
    });
    expect(res.status).toBe(403);
  });

  it("never redirects after sign-in to another site", async () => {
    await createSite();
    for (const next of ["https://evil.example/", "//evil.example/app", "/app/../x", "/apple"]) {
      const res = await call("/app/sign-in", {
        method: "POST",
        headers: { origin: CONSOLE_ORIGIN, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: "test-token", next }),
        redirect: "manual",
      });
      expect(res.headers.get("location"), next).toMatch(/^\/app/);
      expect(res.headers.get("location"), next).not.toMatch(/^\/app(\/\.\.|le)/);
    }
  });

  it("ends the session on sign-out and when its token is revoked", async () => {
    await createSite();
    const user = await signIn("acme");
    const out = await user.post("/app/sign-out");
    expect(out.status).toBe(303);
    expect((await user.get("/app/sites/acme")).status).toBe(303);

    const created = await api("/api/tokens", "POST", { name: "temp", scope: "read" });
    const { secret, token } = (await created.json()) as { secret: string; token: { id: string } };
    const reader = await signIn("acme", secret);
    expect((await reader.get("/app/sites/acme")).status).toBe(200);
    await api(`/api/tokens/${token.id}`, "DELETE");
    expect((await reader.get("/app/sites/acme")).status).toBe(303);
  });
});

describe("console changes", () => {
  it("refuses a change without the session's form token, or from another origin", async () => {
    await createSite();
    const user = await signIn("acme");
    const fields = { name: "Changed", origins: "https://shop.example", listHour: "7", retentionDays: "395", webhookUrl: "" };
    const noToken = await call("/app/sites/acme/settings", {
      method: "POST",
      headers: { cookie: user.cookie, origin: CONSOLE_ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });
    expect(noToken.status).toBe(403);
    const otherOrigin = await user.post("/app/sites/acme/settings", fields, { origin: "https://evil.example" });
    expect(otherOrigin.status).toBe(403);
    const site = (await (await api("/api/sites/acme")).json()) as { site: { name: string } };
    expect(site.site.name).toBe("Site acme");
    const ok = await user.post("/app/sites/acme/settings", fields);
    expect(ok.status).toBe(200);
    expect(((await (await api("/api/sites/acme")).json()) as { site: { name: string } }).site.name).toBe("Changed");
  });

  it("shows a read token the settings without a save button and refuses its posts with 403", async () => {
    await createSite();
    const reader = await signIn("acme", await newToken("read"));
    const html = await (await reader.get("/app/sites/acme/settings")).text();
    expect(html).not.toContain("Save settings");
    expect(html).toContain("read only");
    const res = await reader.post("/app/sites/acme/settings", { name: "Nope", origins: "https://shop.example", listHour: "7", retentionDays: "395", webhookUrl: "" });
    expect(res.status).toBe(403);
    expect(((await (await api("/api/sites/acme")).json()) as { site: { name: string } }).site.name).toBe("Site acme");
  });

  it("keeps what was typed and says what is wrong when settings are invalid", async () => {
    await createSite();
    const user = await signIn("acme");
    const res = await user.post("/app/sites/acme/settings", { name: "Acme", origins: "ftp://nope", listHour: "7", retentionDays: "395", webhookUrl: "" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("origins[0]: an origin is scheme://host[:port]");
    expect(html).toContain("ftp://nope");
  });

  it("shows a new webhook's signing key once, and the API's signature uses it", async () => {
    await createSite();
    const user = await signIn("acme");
    const res = await user.post("/app/sites/acme/settings", { name: "Acme", origins: "https://shop.example", listHour: "7", retentionDays: "395", webhookUrl: "https://hooks.example/leads" });
    expect(await res.text()).toMatch(/<code class="secret">whsec_[A-Za-z0-9+/=]+<\/code>/);
    const again = await user.post("/app/sites/acme/settings", { name: "Acme", origins: "https://shop.example", listHour: "7", retentionDays: "395", webhookUrl: "https://hooks.example/leads" });
    expect(await again.text()).not.toContain("whsec_");
  });

  it("refuses a webhook aimed at a private address in place, like the API, and keeps the site as it was", async () => {
    await createSite();
    const user = await signIn("acme");
    const res = await user.post("/app/sites/acme/settings", { name: "Renamed", origins: "https://shop.example", listHour: "7", retentionDays: "395", webhookUrl: "https://10.0.0.7/hook" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Not saved");
    const site = (await (await call("/api/sites/acme", { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { site: { name: string; webhookUrl: string | null } };
    expect(site.site).toMatchObject({ name: "Site acme", webhookUrl: null });
  });
});

describe("console pages", () => {
  it("answers with a strict content security policy and no caching", async () => {
    await createSite();
    const user = await signIn("acme");
    const res = await user.get("/app/sites/acme");
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    // No inline script: every <script> loads the console's own file.
    expect([...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1])).toEqual([' src="/app/static/console.js" defer=""']);
  });

  it("answers an unknown page or site with the console's 404 page", async () => {
    await createSite();
    const user = await signIn("acme");
    for (const path of ["/app/nothing-here", "/app/sites/nope/settings"]) {
      const res = await user.get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toContain("text/html");
    }
  });
});

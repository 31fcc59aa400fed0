import { afterEach, describe, expect, it, vi } from "vitest";
import { api, createSite, event, track } from "../support/api";

const rules = { prospectAt: 10, rules: [{ id: "contact", label: "Contact page", points: 6, when: { event: "pageview", path: "/contact" } }] };

async function hmacHex(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return [...new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Catches the worker's outbound webhook requests (the worker under test runs in this isolate). */
function catchWebhooks(status = 204) {
  const calls: { url: string; signature: string | null; body: string }[] = [];
  const real = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith("https://hooks.example/")) return real(input, init);
    // Read here, in the request's own context: its body cannot be read from the test's.
    calls.push({ url: request.url, signature: request.headers.get("x-leadscore-signature"), body: await request.text() });
    return new Response(null, { status });
  });
  return calls;
}

afterEach(() => vi.restoreAllMocks());

describe("the prospect webhook", () => {
  it("is sent once, signed, the moment a lead becomes a prospect", async () => {
    const created = (await (await api("/api/sites", "POST", { id: "acme", name: "Acme", origins: ["https://shop.example"], webhookUrl: "https://hooks.example/leads", rules })).json()) as {
      site: { webhookUrl: string };
      webhookSecret: string;
    };
    expect(created.site.webhookUrl).toBe("https://hooks.example/leads");
    expect(created.webhookSecret).toMatch(/^whsec_/);
    // The key is shown once.
    expect(JSON.stringify(await (await api("/api/sites/acme")).json())).not.toContain(created.webhookSecret);

    const calls = catchWebhooks();
    await track("acme", "visitor-hook1", event("pageview", "/contact"));
    await track("acme", "visitor-hook1", event("pageview", "/contact"));
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    await track("acme", "visitor-hook1", event("pageview", "/contact"));

    const { body, signature } = calls[0] as (typeof calls)[number];
    expect(JSON.parse(body)).toEqual({
      event: "prospect",
      site: "acme",
      visitorId: "visitor-hook1",
      email: null,
      emailVerified: false,
      score: 12,
      class: null,
      grade: null,
      since: expect.any(String),
      reasons: [{ rule: "contact", label: "Contact page", points: 12 }],
    });
    expect(signature).toBe(`sha256=${await hmacHex(created.webhookSecret, body)}`);
    // Already a prospect: no second notice.
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toHaveLength(1);
  });

  it("tries again when the endpoint fails", async () => {
    await api("/api/sites", "POST", { id: "acme", name: "Acme", origins: ["https://shop.example"], webhookUrl: "https://hooks.example/leads", rules });
    const calls = catchWebhooks(500);
    await track("acme", "visitor-hook2", event("pageview", "/contact"), event("pageview", "/contact"));
    await vi.waitFor(() => expect(calls).toHaveLength(2), { timeout: 3000 });
  });

  it("is set, changed and removed with PATCH; the key is made once", async () => {
    await createSite("acme", rules);
    const set = (await (await api("/api/sites/acme", "PATCH", { webhookUrl: "https://hooks.example/a" })).json()) as { webhookSecret?: string };
    expect(set.webhookSecret).toMatch(/^whsec_/);
    const moved = (await (await api("/api/sites/acme", "PATCH", { webhookUrl: "https://hooks.example/b" })).json()) as { site: { webhookUrl: string }; webhookSecret?: string };
    expect(moved).toEqual({ site: expect.objectContaining({ webhookUrl: "https://hooks.example/b" }) });
    const removed = (await (await api("/api/sites/acme", "PATCH", { webhookUrl: null })).json()) as { site: { webhookUrl: string | null } };
    expect(removed.site.webhookUrl).toBeNull();
    const calls = catchWebhooks();
    await track("acme", "visitor-hook3", event("pageview", "/contact"), event("pageview", "/contact"));
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toHaveLength(0);
  });

  it.each([
    ["plain http to another host", "http://hooks.example/leads"],
    ["not a URL", "hooks"],
    ["ftp", "ftp://hooks.example/"],
  ])("refuses %s with 400 and changes nothing", async (_name, url) => {
    await createSite("acme", rules);
    const before = await (await api("/api/sites/acme")).json();
    expect((await api("/api/sites/acme", "PATCH", { webhookUrl: url })).status).toBe(400);
    expect(await (await api("/api/sites/acme")).json()).toEqual(before);
  });
});

import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker, { app } from "../../worker/index";
import { WEBHOOK_ATTEMPTS } from "../../worker/jobs/webhook";
import { sendWebhook, type ProspectNotice } from "../../worker/ingest/webhook";
import { TOKEN, api, createSite, event, tableCounts, track } from "../support/api";
import { captureQueue, drainQueue } from "../support/jobs";

const rules = { prospectAt: 10, rules: [{ id: "contact", label: "Contact page", points: 6, when: { event: "pageview", path: "/contact" } }] };

interface Caught {
  url: string;
  headers: Record<string, string>;
  body: string;
  redirect: RequestInit["redirect"];
}

/** Catches the worker's outbound requests (the worker under test runs in this isolate); none goes out. */
function catchWebhooks(answer: number | (() => Response) = 204) {
  const calls: Caught[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    // Read here, in the request's own context: its body cannot be read from the test's.
    calls.push({ url: request.url, headers: Object.fromEntries(request.headers), body: await request.text(), redirect: init?.redirect });
    return typeof answer === "number" ? new Response(null, { status: answer }) : answer();
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

    const queued = captureQueue();
    const calls = catchWebhooks();
    await track("acme", "visitor-hook1", event("pageview", "/contact"));
    await track("acme", "visitor-hook1", event("pageview", "/contact"));
    await track("acme", "visitor-hook1", event("pageview", "/contact"));
    // One notice goes through the queue, without the signing key.
    expect(queued.map((m) => m.body.kind)).toEqual(["webhook"]);
    expect(JSON.stringify(queued)).not.toContain(created.webhookSecret);
    await drainQueue(queued);

    const { body, headers, redirect } = calls[0] as Caught;
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
    // Standard Webhooks: the receiver's own library verifies it, and the id stays the same on a retry.
    expect(new Webhook(created.webhookSecret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(redirect).toBe("manual");
    // Signed under another key, or replayed with another timestamp, it does not verify.
    expect(() => new Webhook(`whsec_${btoa("another key of 32 bytes, exactly")}`).verify(body, headers)).toThrow();
    expect(() => new Webhook(created.webhookSecret).verify(body, { ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) - 1) })).toThrow();
    // Already a prospect: no second notice.
    expect(calls).toHaveLength(1);
  });

  it("is retried by the queue when the endpoint fails, with the same webhook-id, until it takes it", async () => {
    await api("/api/sites", "POST", { id: "acme", name: "Acme", origins: ["https://shop.example"], webhookUrl: "https://hooks.example/leads", rules });
    const queued = captureQueue();
    let answered = 0;
    const calls = catchWebhooks(() => new Response(null, { status: answered++ === 0 ? 500 : 204 }));
    await track("acme", "visitor-hook2", event("pageview", "/contact"), event("pageview", "/contact"));
    const drained = await drainQueue(queued);
    expect(drained.delivered.map((d) => [d.outcome, d.delaySeconds])).toEqual([["retry", 30], ["ack", undefined]]);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.headers["webhook-id"]).toBe(calls[0]?.headers["webhook-id"]);
    expect(((await (await api("/api/sites/acme/webhook-failures")).json()) as { failures: unknown[] }).failures).toEqual([]);
  });

  it("after the last attempt keeps the notice as a dead letter the API shows", async () => {
    await api("/api/sites", "POST", { id: "acme", name: "Acme", origins: ["https://shop.example"], webhookUrl: "https://hooks.example/leads", rules });
    const queued = captureQueue();
    const calls = catchWebhooks(500);
    await track("acme", "visitor-hook4", event("pageview", "/contact"), event("pageview", "/contact"));
    const drained = await drainQueue(queued);
    expect(drained.delivered.map((d) => [d.outcome, d.delaySeconds])).toEqual([
      ["retry", 30],
      ["retry", 120],
      ["retry", 480],
      ["retry", 1920],
      ["ack", undefined],
    ]);
    expect(calls).toHaveLength(WEBHOOK_ATTEMPTS);
    const failures = (await (await api("/api/sites/acme/webhook-failures")).json()) as { failures: unknown[] };
    expect(failures.failures).toEqual([
      { delivery: calls[0]?.headers["webhook-id"], visitorId: "visitor-hook4", attempts: WEBHOOK_ATTEMPTS, lastError: "answered 500", failedAt: expect.any(String), notice: expect.objectContaining({ score: 12 }) },
    ]);
  });

  it("notifies a crossing the daily sweep finds (an absence rule that starts to hold) through the same queue", async () => {
    const quiet = { prospectAt: 10, rules: [{ id: "quiet", label: "No email opens", points: 10, when: { absent: "email_open", days: 1 } }, { id: "pv", points: 1, when: { event: "pageview" } }] };
    await api("/api/sites", "POST", { id: "acme", name: "Acme", origins: ["https://shop.example"], webhookUrl: "https://hooks.example/leads", rules: quiet });
    const queued = captureQueue();
    const calls = catchWebhooks();
    await track("acme", "visitor-hook5", event("pageview", "/"));
    expect(queued).toHaveLength(0);
    // Two days on, at the list hour: the absence rule holds, and nobody sent an event.
    const at = Date.parse(`${new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10)}T23:00:00Z`);
    await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "0 * * * *" }), env);
    await drainQueue(queued);
    expect(calls.map((c) => JSON.parse(c.body) as { visitorId: string; score: number; since: string })).toEqual([
      expect.objectContaining({ visitorId: "visitor-hook5", score: 11, since: new Date(at).toISOString() }),
    ]);
  });

  it("is set, changed and removed with PATCH; the key is made once", async () => {
    await createSite("acme", rules);
    const set = (await (await api("/api/sites/acme", "PATCH", { webhookUrl: "https://hooks.example/a" })).json()) as { webhookSecret?: string };
    expect(set.webhookSecret).toMatch(/^whsec_/);
    const moved = (await (await api("/api/sites/acme", "PATCH", { webhookUrl: "https://hooks.example/b" })).json()) as { site: { webhookUrl: string }; webhookSecret?: string };
    expect(moved).toEqual({ site: expect.objectContaining({ webhookUrl: "https://hooks.example/b" }) });
    const removed = (await (await api("/api/sites/acme", "PATCH", { webhookUrl: null })).json()) as { site: { webhookUrl: string | null } };
    expect(removed.site.webhookUrl).toBeNull();
    const queued = captureQueue();
    const calls = catchWebhooks();
    await track("acme", "visitor-hook3", event("pageview", "/contact"), event("pageview", "/contact"));
    expect(queued).toHaveLength(0);
    await drainQueue(queued);
    expect(calls).toHaveLength(0);
  });

});

/** URLs that would make the collector send requests into its own or a private network. */
const REFUSED: [string, string][] = [
  ["plain http to another host", "http://hooks.example/leads"],
  ["not a URL", "hooks"],
  ["ftp", "ftp://hooks.example/"],
  ["cloud metadata", "https://169.254.169.254/latest/meta-data/"],
  ["GCP metadata by name", "https://metadata.google.internal/computeMetadata/v1/"],
  ["a private 10/8 address", "https://10.0.0.7/hook"],
  ["a private 172.16/12 address", "https://172.20.1.1/hook"],
  ["a private 192.168/16 address", "https://192.168.1.1/hook"],
  ["carrier-grade NAT 100.64/10", "https://100.100.100.200/hook"],
  ["loopback", "https://127.0.0.1/hook"],
  ["loopback elsewhere in 127/8", "https://127.1.2.3/hook"],
  ["loopback in decimal", "https://2130706433/hook"],
  ["loopback in octal", "https://0177.0.0.1/hook"],
  ["loopback in hex", "https://0x7f000001/hook"],
  ["loopback, shortened", "https://127.1/hook"],
  ["the unspecified address", "https://0.0.0.0/hook"],
  ["IPv6 loopback", "https://[::1]/hook"],
  ["IPv6 unspecified", "https://[::]/hook"],
  ["IPv4-mapped IPv6 loopback", "https://[::ffff:127.0.0.1]/hook"],
  ["IPv4-mapped IPv6 metadata", "https://[::ffff:a9fe:a9fe]/hook"],
  ["NAT64 of a private address", "https://[64:ff9b::10.0.0.1]/hook"],
  ["IPv6 unique local fc00::/7", "https://[fd12:3456::1]/hook"],
  ["IPv6 link-local", "https://[fe80::1]/hook"],
  ["6to4 of loopback", "https://[2002:7f00:1::1]/hook"],
  ["localhost over https", "https://localhost/hook"],
  ["localhost with a trailing dot", "https://localhost./hook"],
  ["a name under .localhost", "https://app.localhost/hook"],
  ["localtest.me (resolves to 127.0.0.1)", "https://hooks.localtest.me/hook"],
  ["lvh.me", "https://lvh.me/hook"],
  ["a nip.io name that spells a private address", "https://10.0.0.1.nip.io/hook"],
  ["an .internal name", "https://billing.internal/hook"],
  ["a single-label intranet name", "https://intranet/hook"],
  ["a URL with credentials", "https://user:pass@hooks.example/hook"],
  ["http to localhost outside local development", "http://localhost:8080/hook"],
];

describe("webhook URLs (SSRF)", () => {
  it.each(REFUSED)("refuses %s when set with POST or PATCH: 400, nothing changed", async (_name, url) => {
    await createSite("acme", rules);
    const before = await (await api("/api/sites/acme")).json();
    const counts = await tableCounts();
    const patched = await api("/api/sites/acme", "PATCH", { webhookUrl: url });
    expect(patched.status).toBe(400);
    expect(((await patched.json()) as { error: { code: string } }).error.code).toBe("bad_request");
    const created = await api("/api/sites", "POST", { id: "other", name: "Other", origins: ["https://shop.example"], webhookUrl: url });
    expect(created.status).toBe(400);
    expect(await (await api("/api/sites/acme")).json()).toEqual(before);
    expect(await tableCounts()).toEqual(counts);
  });

  it.each([
    ["a public https host", "https://hooks.example/leads"],
    ["a public IPv4 address", "https://93.184.215.14/hook"],
    ["a public IPv6 address", "https://[2606:4700::1111]/hook"],
    ["a name that merely contains 'local'", "https://localhost-tools.example/hook"],
  ])("accepts %s", async (_name, url) => {
    await createSite("acme", rules);
    expect((await api("/api/sites/acme", "PATCH", { webhookUrl: url })).status).toBe(200);
  });

  it("takes http://localhost only where ALLOW_LOCAL_WEBHOOKS is set (local development)", async () => {
    await createSite("acme", rules);
    const patch = (vars: Partial<Env>) =>
      app.fetch(
        new Request("https://collector.test/api/sites/acme", {
          method: "PATCH",
          headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
          body: JSON.stringify({ webhookUrl: "http://localhost:8080/hook" }),
        }),
        { ...env, ...vars },
      );
    expect((await patch({})).status).toBe(400);
    expect((await patch({ ALLOW_LOCAL_WEBHOOKS: "1" })).status).toBe(200);
  });

  const notice: ProspectNotice = { event: "prospect", site: "acme", visitorId: "visitor-1", email: null, emailVerified: false, score: 12, class: null, grade: null, since: "2026-11-23T09:00:00.000Z", reasons: [] };
  const secret = `whsec_${btoa("0123456789abcdef0123456789abcdef")}`;

  it("checks the stored URL again before each delivery, and sends nothing to a refused one", async () => {
    const calls = catchWebhooks();
    for (const [, url] of REFUSED.filter(([name]) => name !== "not a URL")) {
      expect(await sendWebhook(notice, { webhookUrl: url, webhookSecret: secret }, env)).toEqual({ delivered: false, reason: expect.stringMatching(/^refused: /), retry: false });
    }
    expect(calls).toHaveLength(0);
  });

  it.each([301, 302, 303, 307, 308])("never follows a %i: one request, a failed delivery, not retried", async (status) => {
    const calls = catchWebhooks(() => new Response(null, { status, headers: { location: "http://169.254.169.254/latest/meta-data/" } }));
    const result = await sendWebhook(notice, { webhookUrl: "https://hooks.example/leads", webhookSecret: secret }, env);
    expect(result).toEqual({ delivered: false, reason: `answered ${status}; redirects are not followed`, retry: false });
    expect(calls.map((c) => [c.url, c.redirect])).toEqual([["https://hooks.example/leads", "manual"]]);
  });
});

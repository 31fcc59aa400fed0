import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../worker/index";
import { WEBHOOK_ATTEMPTS } from "../../worker/jobs/webhook";
import { api, createSite, event, track } from "../support/api";
import { captureQueue, drainQueue, type Queued } from "../support/jobs";

const rules = { prospectAt: 10, rules: [{ id: "contact", label: "Contact page", points: 6, when: { event: "pageview", path: "/contact" } }] };

async function hmacHex(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return [...new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Catches the worker's outbound webhook requests (the worker under test runs in this isolate). */
function catchWebhooks(...statuses: number[]) {
  const calls: { url: string; signature: string | null; delivery: string | null; body: string }[] = [];
  const real = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (!request.url.startsWith("https://hooks.example/")) return real(input, init);
    // Read here, in the request's own context: its body cannot be read from the test's.
    calls.push({ url: request.url, signature: request.headers.get("x-leadscore-signature"), delivery: request.headers.get("x-leadscore-delivery"), body: await request.text() });
    return new Response(null, { status: statuses[Math.min(calls.length, statuses.length) - 1] ?? 204 });
  });
  return calls;
}

const withWebhook = (extra: Record<string, unknown> = {}) =>
  api("/api/sites", "POST", { id: "acme", name: "Acme", origins: ["https://shop.example"], webhookUrl: "https://hooks.example/leads", rules, ...extra });

let queued: Queued[] = [];
beforeEach(() => {
  queued = captureQueue();
});
afterEach(() => vi.restoreAllMocks());

describe("the prospect webhook", () => {
  it("is sent once, signed, through the queue, the moment a lead becomes a prospect", async () => {
    const created = (await (await withWebhook()).json()) as { site: { webhookUrl: string }; webhookSecret: string };
    expect(created.site.webhookUrl).toBe("https://hooks.example/leads");
    expect(created.webhookSecret).toMatch(/^whsec_/);
    // The key is shown once, and never travels through the queue.
    expect(JSON.stringify(await (await api("/api/sites/acme")).json())).not.toContain(created.webhookSecret);

    const calls = catchWebhooks(204);
    await track("acme", "visitor-hook1", event("pageview", "/contact"));
    await track("acme", "visitor-hook1", event("pageview", "/contact"));
    await track("acme", "visitor-hook1", event("pageview", "/contact"));
    expect(queued.map((m) => m.body.kind)).toEqual(["webhook"]);
    expect(JSON.stringify(queued)).not.toContain(created.webhookSecret);
    await drainQueue(queued);
    // Already a prospect after the second beacon: no second notice.
    expect(calls).toHaveLength(1);

    const { body, signature } = calls[0] as (typeof calls)[number];
    expect(JSON.parse(body)).toEqual({
      event: "prospect",
      site: "acme",
      visitorId: "visitor-hook1",
      email: null,
      score: 12,
      class: null,
      grade: null,
      since: expect.any(String),
      reasons: [{ rule: "contact", label: "Contact page", points: 12 }],
    });
    expect(signature).toBe(`sha256=${await hmacHex(created.webhookSecret, body)}`);
  });

  it("is retried by the queue with growing delays, then kept as a dead letter the API shows", async () => {
    await withWebhook();
    const calls = catchWebhooks(500);
    await track("acme", "visitor-hook2", event("pageview", "/contact"), event("pageview", "/contact"));
    const drained = await drainQueue(queued);
    expect(drained.delivered.map((d) => [d.outcome, d.delaySeconds])).toEqual([
      ["retry", 30],
      ["retry", 120],
      ["retry", 480],
      ["retry", 1920],
      ["ack", undefined],
    ]);
    // Every attempt carries the same delivery id, so the receiver can tell a retry from a new notice.
    expect(calls).toHaveLength(WEBHOOK_ATTEMPTS);
    expect(new Set(calls.map((c) => c.delivery)).size).toBe(1);
    const failures = (await (await api("/api/sites/acme/webhook-failures")).json()) as { failures: { delivery: string; visitorId: string; attempts: number; lastError: string; notice: { score: number } }[] };
    expect(failures.failures).toEqual([
      { delivery: calls[0]?.delivery, visitorId: "visitor-hook2", attempts: WEBHOOK_ATTEMPTS, lastError: "answered 500", failedAt: expect.any(String), notice: expect.objectContaining({ score: 12 }) },
    ]);
  });

  it("stops retrying once the endpoint takes the notice, and records no failure", async () => {
    await withWebhook();
    const calls = catchWebhooks(503, 503, 200);
    await track("acme", "visitor-hook4", event("pageview", "/contact"), event("pageview", "/contact"));
    const drained = await drainQueue(queued);
    expect(drained.delivered.map((d) => d.outcome)).toEqual(["retry", "retry", "ack"]);
    expect(calls).toHaveLength(3);
    expect(((await (await api("/api/sites/acme/webhook-failures")).json()) as { failures: unknown[] }).failures).toEqual([]);
  });

  it("notifies a crossing the daily sweep finds (an absence rule that starts to hold) through the same queue", async () => {
    await withWebhook({ rules: { prospectAt: 10, rules: [{ id: "quiet", label: "No email opens", points: 10, when: { absent: "email_open", days: 1 } }, { id: "pv", points: 1, when: { event: "pageview" } }] } });
    const calls = catchWebhooks(204);
    await track("acme", "visitor-hook5", event("pageview", "/"));
    expect(queued).toHaveLength(0);
    // Two days on, at the list hour: the absence rule holds, nobody sent an event.
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
    const calls = catchWebhooks();
    await track("acme", "visitor-hook3", event("pageview", "/contact"), event("pageview", "/contact"));
    expect(queued).toHaveLength(0);
    await drainQueue(queued);
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

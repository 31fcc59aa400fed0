import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../worker/index";
import { IGNORED_HEADER, MAX_VISITOR_EVENTS_PER_MINUTE } from "../../worker/routes/collect";
import { beaconBody, createSite, event, sendBeacon, tableCounts, visitor } from "../support/api";

const bots: [string, string][] = [
  ["Googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"],
  ["Bingbot", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"],
  ["GPTBot", "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)"],
  ["AhrefsBot", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"],
  ["headless Chrome", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36"],
  ["curl", "curl/8.5.0"],
  ["python-requests", "python-requests/2.32.3"],
  ["a LinkedIn link preview", "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"],
];

const browsers: [string, string][] = [
  ["Chrome on Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"],
  ["Chrome on macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"],
  ["Edge", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70"],
  ["Firefox on Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"],
  ["Firefox on Linux", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"],
  ["Safari on macOS", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"],
  ["Safari on iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"],
  ["Safari on iPad", "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"],
  ["Chrome on Android", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"],
  ["Samsung Internet", "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"],
  ["Firefox on Android", "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0"],
  ["Opera", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0"],
];

describe("bots", () => {
  it.each([...bots, ["no user agent at all", ""]])("accepts a beacon from %s with 202 and the reason, and stores and scores nothing", async (_name, ua) => {
    await createSite();
    const before = await tableCounts();
    const res = await sendBeacon(beaconBody("acme", "visitor-bot1", [event("pageview", "/pricing")]), undefined, ua || null);
    expect(res.status).toBe(202);
    expect(res.headers.get(IGNORED_HEADER)).toBe("bot");
    expect(await res.json()).toEqual({ accepted: 0, duplicates: 0, ignored: "bot" });
    expect(await tableCounts()).toEqual(before);
  });

  it.each(browsers)("never drops %s", async (_name, ua) => {
    await createSite();
    const res = await sendBeacon(beaconBody("acme", "visitor-human", [event("pageview", "/")]), undefined, ua);
    expect(res.status).toBe(202);
    expect(res.headers.get(IGNORED_HEADER)).toBeNull();
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect((await visitor("acme", "visitor-human")).score).toBe(1);
  });
});

describe("rate limits", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("caps a visitor's 1,000 pricing hits in one minute by the visitor limit and the rule caps", { timeout: 60_000 }, async () => {
    await createSite("flood", {
      prospectAt: 1000,
      pricingPaths: ["/pricing"],
      rules: [
        { id: "page-view", points: 1, when: { event: "pageview" }, maxPerDay: 20 },
        { id: "pricing", points: 20, when: { event: "pricing_view" }, maxPerDay: 1 },
      ],
    });
    // One clock minute throughout, so the fixed window cannot roll over mid-test.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 10, 23, 10, 0, 5));
    const answers: Response[] = [];
    for (let i = 0; i < 1000; i++) answers.push(await sendBeacon(beaconBody("flood", "visitor-flood", [event("pageview", "/pricing")])));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(MAX_VISITOR_EVENTS_PER_MINUTE);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1000 - MAX_VISITOR_EVENTS_PER_MINUTE);
    const refused = answers.find((a) => a.status === 429);
    expect(refused?.headers.get("retry-after")).toBe("55");
    expect(await refused?.json()).toEqual({ error: { code: "rate_limited", message: expect.any(String) } });

    expect((await tableCounts()).events).toBe(MAX_VISITOR_EVENTS_PER_MINUTE);
    const v = await visitor("flood", "visitor-flood");
    expect(Object.fromEntries(v.breakdown.map((b) => [b.rule, b.points]))).toEqual({ "page-view": 20, pricing: 20 });
    expect(v.score).toBe(40);

    // The next minute the visitor is welcome again.
    vi.setSystemTime(Date.UTC(2026, 10, 23, 10, 1, 0));
    expect((await sendBeacon(beaconBody("flood", "visitor-flood", [event("pageview", "/")]))).status).toBe(202);
  });

  it("refuses a beacon with 429 and Retry-After when the site's limit is spent, and changes nothing", async () => {
    await createSite();
    // The per-site limit is Cloudflare's rate-limiting binding; this one has spent its allowance for "acme".
    const spent: RateLimit = { limit: async ({ key }) => ({ success: key !== "acme" }) };
    const before = await tableCounts();
    const body = JSON.stringify(beaconBody("acme", "visitor-0001", [event("pageview")]));
    const request = new Request("https://collector.test/e", {
      method: "POST",
      headers: { origin: "https://shop.example", "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0" },
      body,
    });
    const res = await app.fetch(request, { ...env, SITE_RATE_LIMIT: spent });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("10");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    expect(await tableCounts()).toEqual(before);
  });

  it("keys the site limit by site id in the binding wrangler.toml declares", async () => {
    const seen: string[] = [];
    const counting: RateLimit = { limit: async ({ key }) => (seen.push(key), { success: true }) };
    await createSite();
    const request = new Request("https://collector.test/e", {
      method: "POST",
      headers: { origin: "https://shop.example", "user-agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0" },
      body: JSON.stringify(beaconBody("acme", "visitor-0001", [event("pageview")])),
    });
    expect((await app.fetch(request, { ...env, SITE_RATE_LIMIT: counting })).status).toBe(202);
    expect(seen).toEqual(["acme"]);
    expect(await env.SITE_RATE_LIMIT.limit({ key: "probe" })).toEqual({ success: true });
  });
});

import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../worker/index";
import { IGNORED_HEADER, MAX_VISITOR_EVENTS_PER_MINUTE, NEW_VISITOR_RETRY_AFTER } from "../../worker/routes/collect";
import { bucketOf } from "../../worker/ingest/visitor-limit";
import { BEACONS_PER_TICKET } from "../../worker/ingest/site-allowance";
import { CHROME_UA, ORIGIN, api, beaconBody, createSite, event, sendBeacon, tableCounts, visitor } from "../support/api";

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

  it("caps a visitor's 1,000 pricing hits in one moment by the visitor limit and the rule caps", { timeout: 60_000 }, async () => {
    await createSite("flood", {
      prospectAt: 1000,
      pricingPaths: ["/pricing"],
      rules: [
        { id: "page-view", points: 1, when: { event: "pageview" }, maxPerDay: 20 },
        { id: "pricing", points: 20, when: { event: "pricing_view" }, maxPerDay: 1 },
      ],
    });
    // One instant throughout: the visitor's bucket never drains.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 10, 23, 10, 0, 5));
    const answers: Response[] = [];
    for (let i = 0; i < 1000; i++) answers.push(await sendBeacon(beaconBody("flood", "visitor-flood", [event("pageview", "/pricing")])));
    const statuses = answers.map((a) => a.status);
    const { capacity, drainMs } = bucketOf(MAX_VISITOR_EVENTS_PER_MINUTE);
    expect(statuses.filter((s) => s === 202)).toHaveLength(capacity);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1000 - capacity);
    const refused = answers.find((a) => a.status === 429);
    expect(refused?.headers.get("retry-after")).toBe(String(drainMs / 1000));
    expect(await refused?.json()).toEqual({ error: { code: "rate_limited", message: expect.any(String) } });

    expect((await tableCounts()).events).toBe(capacity);
    const v = await visitor("flood", "visitor-flood");
    expect(Object.fromEntries(v.breakdown.map((b) => [b.rule, b.points]))).toEqual({ "page-view": 20, pricing: 20 });
    expect(v.score).toBe(40);

    // Once an event has drained, the visitor is welcome again.
    vi.setSystemTime(Date.UTC(2026, 10, 23, 10, 0, 5) + drainMs);
    expect((await sendBeacon(beaconBody("flood", "visitor-flood", [event("pageview", "/")]))).status).toBe(202);
  });

  it("lets no 60-second span take more than the visitor limit, across a minute boundary too", { timeout: 60_000 }, async () => {
    await createSite("edge");
    vi.useFakeTimers({ toFake: ["Date"] });
    const accepted: number[] = [];
    // A full minute's worth just before 10:01:00 and again just after: a fixed window took both (240 in 1 s).
    for (const at of [Date.UTC(2026, 10, 23, 10, 0, 59, 500), Date.UTC(2026, 10, 23, 10, 1, 0, 500)]) {
      vi.setSystemTime(at);
      for (let i = 0; i < MAX_VISITOR_EVENTS_PER_MINUTE / 20; i++) {
        const res = await sendBeacon(beaconBody("edge", "visitor-edge", Array.from({ length: 20 }, () => event("pageview", "/"))));
        if (res.status === 202) accepted.push(((await res.json()) as { accepted: number }).accepted);
        else expect(res.status).toBe(429);
      }
    }
    const total = accepted.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(MAX_VISITOR_EVENTS_PER_MINUTE);
    // A full bucket, and one second's drain is not room for a beacon of 20.
    expect(total).toBe(bucketOf(MAX_VISITOR_EVENTS_PER_MINUTE).capacity);
    expect((await tableCounts()).events).toBe(total);
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

  it("asks the site limit once per ticket of beacons, not once per beacon", async () => {
    const seen: string[] = [];
    const counting: RateLimit = { limit: async ({ key }) => (seen.push(key), { success: true }) };
    await createSite();
    const send = (i: number) =>
      app.fetch(
        new Request("https://collector.test/e", {
          method: "POST",
          headers: { origin: "https://shop.example", "user-agent": CHROME_UA },
          body: JSON.stringify(beaconBody("acme", `visitor-${String(i % 4).padStart(4, "0")}`, [event("pageview")])),
        }),
        { ...env, SITE_RATE_LIMIT: counting },
      );
    for (let i = 0; i < BEACONS_PER_TICKET; i++) expect((await send(i)).status).toBe(202);
    expect(seen).toEqual(["acme"]);
    expect((await send(BEACONS_PER_TICKET)).status).toBe(202);
    expect(seen).toEqual(["acme", "acme"]);
    expect((await tableCounts()).events).toBe(BEACONS_PER_TICKET + 1);
  });

  /** A beacon as a browser at `ip` sends it, through Cloudflare's edge (which sets CF-Connecting-IP). */
  const fromClient = (body: unknown, ip: string, origin = ORIGIN) =>
    new Request("https://collector.test/e", {
      method: "POST",
      headers: { origin, "user-agent": CHROME_UA, "cf-connecting-ip": ip, "content-type": "text/plain;charset=UTF-8" },
      body: JSON.stringify(body),
    });

  it("spends the site limit only on beacons the site would take: not on a refused origin or an unknown site", async () => {
    const seen: string[] = [];
    const counting: RateLimit = { limit: async ({ key }) => (seen.push(key), { success: true }) };
    await createSite();
    const send = (body: unknown, origin?: string) => app.fetch(fromClient(body, "198.51.100.1", origin), { ...env, SITE_RATE_LIMIT: counting });
    expect((await send(beaconBody("acme", "visitor-0001", [event("pageview")]), "https://evil.example")).status).toBe(403);
    expect((await send(beaconBody("nosuchsite", "visitor-0001", [event("pageview")]))).status).toBe(404);
    expect(seen).toEqual([]);
    expect((await send(beaconBody("acme", "visitor-0001", [event("pageview")]))).status).toBe(202);
    expect(seen).toEqual(["acme"]);
  });

  it("asks the new-visitor limit only for a new visitor id, keyed by site and client, and stores no IP", async () => {
    const seen: string[] = [];
    const counting: RateLimit = { limit: async ({ key }) => (seen.push(key), { success: true }) };
    await createSite();
    const send = (v: string, ip: string) => app.fetch(fromClient(beaconBody("acme", v, [event("pageview")]), ip), { ...env, NEW_VISITOR_RATE_LIMIT: counting });
    expect((await send("visitor-new1", "203.0.113.7")).status).toBe(202);
    expect((await send("visitor-new1", "203.0.113.7")).status).toBe(202);
    expect((await send("visitor-new2", "2001:db8::7")).status).toBe(202);
    expect(seen).toEqual(["acme\n203.0.113.7", "acme\n2001:db8::7"]);
    const dump = JSON.stringify(await Promise.all(["visitors", "events", "sites"].map((t) => env.DB.prepare(`SELECT * FROM ${t}`).all())));
    expect(dump).not.toContain("203.0.113.7");
    expect(dump).not.toContain("2001:db8::7");
  });

  it("refuses a new visitor with 429 and Retry-After when the client's allowance is spent, and changes nothing", async () => {
    await createSite();
    await app.fetch(fromClient(beaconBody("acme", "visitor-known", [event("pageview")]), "203.0.113.9"), env);
    const spent: RateLimit = { limit: async () => ({ success: false }) };
    const send = (v: string) => app.fetch(fromClient(beaconBody("acme", v, [event("pageview")]), "203.0.113.9"), { ...env, NEW_VISITOR_RATE_LIMIT: spent });
    const before = await tableCounts();
    const refused = await send("visitor-fresh");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe(String(NEW_VISITOR_RETRY_AFTER));
    expect(await tableCounts()).toEqual(before);
    // A visitor the client already has goes on being counted.
    expect((await send("visitor-known")).status).toBe(202);
  });

  it("keeps one client from minting 100 fake prospects in a few seconds, with the binding wrangler.toml declares", { timeout: 60_000 }, async () => {
    // The default rules: a page view is 1 point, a contact-page view 5 more, a prospect at 50. Nine contact-page
    // views in one beacon make a new visitor id a prospect.
    await createSite();
    let accepted = 0;
    for (let i = 0; i < 100; i++) {
      const res = await app.fetch(fromClient(beaconBody("acme", `visitor-mint-${i}`, Array.from({ length: 9 }, () => event("pageview", "/contact"))), "192.0.2.44"), env);
      if (res.status === 202) accepted += 1;
      else expect(res.status).toBe(429);
    }
    const prospects = (await (await api("/api/sites/acme/prospects")).json()) as { prospects: unknown[] };
    expect(prospects.prospects).toHaveLength(accepted);
    // 30 a minute; a run that straddles the binding's minute boundary can see two allowances.
    expect(accepted).toBeGreaterThanOrEqual(30);
    expect(accepted).toBeLessThanOrEqual(60);
    // Another client is not held back by the first.
    expect((await app.fetch(fromClient(beaconBody("acme", "visitor-other", [event("pageview")]), "192.0.2.45"), env)).status).toBe(202);
  });
});

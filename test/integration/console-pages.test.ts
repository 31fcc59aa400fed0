import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { overviewFigures } from "../../worker/routes/console-overview";
import type { SiteDayRow } from "../../schema";
import { api, createSite, event, signedIdentify, track } from "../support/api";
import { signIn } from "../support/console";
import { captureQueue, drainQueue } from "../support/jobs";

// Contact page 30, any page view 1, prospect at 50; classes warm 20 and hot 35.
const RULES = {
  prospectAt: 50,
  classes: [{ name: "warm", min: 20 }, { name: "hot", min: 35 }],
  rules: [
    { id: "page-view", label: "Page view", points: 1, when: { event: "pageview" } },
    { id: "contact", label: "Contact page", points: 30, when: { event: "pageview", path: "/contact" } },
  ],
};

// Signed by the site's backend: lookups by email find verified emails only.
const identify = (email: string) => signedIdentify("acme", email);

/** Three leads: ana a prospect (62, hot), bo warm (31), an anonymous visitor with one page view. */
async function siteWithLeads(): Promise<void> {
  await createSite("acme", RULES, { listHour: 0 });
  await track("acme", "visitor-ana1", await identify("ana@acme.example"), event("pageview", "/contact"), event("pageview", "/contact"));
  await track("acme", "visitor-bo01", await identify("bo@acme.example"), event("pageview", "/contact"));
  await track("acme", "visitor-anon", event("pageview", "/"));
}

const texts = (html: string, re: RegExp) => [...html.matchAll(re)].map((m) => m[1]);

describe("overview", () => {
  it("turns recorded running totals into events per day and sums the rules behind new prospects", () => {
    const day = (d: string, eventsTotal: number, newProspects: number, rule?: string): SiteDayRow => ({
      siteId: "acme",
      day: d,
      createdAt: 0,
      figures: { eventsTotal, leads: 3, prospects: newProspects, newProspects, classes: { hot: 1, "": 2 }, topRules: rule ? [{ rule, label: rule, leads: newProspects, points: 30 }] : [] },
    });
    const f = overviewFigures([day("2026-11-01", 100, 0), day("2026-11-02", 130, 2, "contact"), day("2026-11-04", 125, 1, "contact")], "2026-11-02", ["hot"]);
    expect(f.perDay.labels).toEqual(["2026-11-02", "2026-11-04"]);
    // An erasure can lower the running total: that day counts none, never a negative number.
    expect(f.perDay.series[0]?.data).toEqual([30, 0]);
    expect(f.events).toBe(30);
    expect(f.newProspects).toBe(3);
    expect(f.topRules.labels).toEqual(["contact"]);
    expect(f.topRules.series[0]?.data).toEqual([3]);
    expect(f.classes.labels).toEqual(["hot", "unclassed"]);
  });

  it("shows the figures the daily run recorded with the day's list", async () => {
    await siteWithLeads();
    const queued = captureQueue();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "0 * * * *" }), env);
    // The cron only enqueues; the site's daily run records the figures.
    await drainQueue(queued);
    const user = await signIn("acme");
    const html = await (await user.get("/app/sites/acme")).text();
    const stats = texts(html, /<span class="stat-value">([^<]*)<\/span><span class="stat-label">/g);
    // leads, prospects on the latest list, events in 30 days (none: no earlier record), new prospects.
    expect(stats).toEqual(["3", "1", "0", "1"]);
    const classChart = /id="classes"[^>]*data-chart="([^"]*)"/.exec(html)?.[1] ?? "";
    const spec = JSON.parse(classChart.replaceAll("&quot;", '"')) as { labels: string[]; series: { data: number[] }[] };
    expect(spec.labels).toEqual(["hot", "warm", "unclassed"]);
    expect(spec.series[0]?.data).toEqual([1, 1, 1]);
  });
});

describe("leads", () => {
  it("finds a lead by email and shows its score and events with their points", async () => {
    await siteWithLeads();
    const user = await signIn("acme");
    const found = await (await user.get("/app/sites/acme/leads?q=BO%40acme.example")).text();
    expect(texts(found, /<th scope="row"><a href="[^"]*">([^<]*)<\/a><\/th>/g)).toEqual(["bo@acme.example"]);
    const profile = await (await user.get("/app/sites/acme/leads/visitor-ana1")).text();
    expect(profile).toContain("<h1 class=\"lead-name\">ana@acme.example</h1>");
    expect(profile).toContain("Page view +1; Contact page +30");
    expect(profile).toContain("All 3 events.");
  });

  it("filters the leaderboard by class and prospect, in SQL on the stored score", async () => {
    await siteWithLeads();
    const user = await signIn("acme");
    const rows = async (query: string) => texts(await (await user.get(`/app/sites/acme/leads?${query}`)).text(), /<th scope="row"><a href="[^"]*">([^<]*)<\/a><\/th>/g);
    expect(await rows("class=hot")).toEqual(["ana@acme.example"]);
    expect(await rows("prospect=no")).toEqual(["bo@acme.example", "visitor-anon"]);
    expect(await rows("order=lastSeen")).toHaveLength(3);
  });

  it("erases only after the lead's email is typed, and only for an admin", async () => {
    await siteWithLeads();
    const reader = await signIn("acme", ((await (await api("/api/tokens", "POST", { name: "sales", scope: "read" })).json()) as { secret: string }).secret);
    expect(await (await reader.get("/app/sites/acme/leads/visitor-ana1")).text()).not.toContain("Erase this lead");
    expect((await reader.post("/app/sites/acme/leads/visitor-ana1/erase", { confirm: "ana@acme.example" })).status).toBe(403);
    const admin = await signIn("acme");
    const wrong = await admin.post("/app/sites/acme/leads/visitor-ana1/erase", { confirm: "bo@acme.example" });
    expect(wrong.status).toBe(400);
    expect((await api("/api/sites/acme/visitors/visitor-ana1")).status).toBe(200);
    const right = await admin.post("/app/sites/acme/leads/visitor-ana1/erase", { confirm: "ANA@acme.example" });
    expect(right.status).toBe(200);
    expect((await api("/api/sites/acme/visitors/visitor-ana1")).status).toBe(404);
  });
});

describe("rules editor", () => {
  it("says where the JSON is broken, keeping the text", async () => {
    await createSite("acme", RULES);
    const user = await signIn("acme");
    const res = await user.post("/app/sites/acme/rules", { rules: '{\n  "prospectAt": 50\n  "rules": []\n}', action: "preview", version: "1" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toMatch(/<p id="rules-error" class="field-error" role="alert">Not valid JSON: .* at line 3, column 3\.<\/p>/);
    expect(html).toContain("&quot;prospectAt&quot;: 50\n  &quot;rules&quot;");
  });

  it("previews who would become a prospect by email, then publishes only from the version it was opened at", async () => {
    await siteWithLeads();
    const user = await signIn("acme");
    const lower = JSON.stringify({ ...RULES, prospectAt: 30 });
    const preview = await (await user.post("/app/sites/acme/rules", { rules: lower, action: "preview", version: "1" })).text();
    expect(preview).toMatch(/Would become prospects<\/h3><ul class="plain"><li><a href="[^"]*visitor-bo01">bo@acme.example<\/a><\/li><\/ul>/);
    expect(((await (await api("/api/sites/acme/rules")).json()) as { version: number }).version).toBe(1);
    const published = await user.post("/app/sites/acme/rules", { rules: lower, action: "publish", version: "1" });
    expect(published.status).toBe(303);
    expect(((await (await api("/api/sites/acme/rules")).json()) as { version: number; rules: { prospectAt: number } }).rules.prospectAt).toBe(30);
    const stale = await user.post("/app/sites/acme/rules", { rules: JSON.stringify(RULES), action: "publish", version: "1" });
    expect(stale.status).toBe(409);
    expect(((await (await api("/api/sites/acme/rules")).json()) as { version: number }).version).toBe(2);
  });
});

describe("prospects", () => {
  it("downloads the same CSV as the API, with a byte order mark on request", async () => {
    await siteWithLeads();
    const user = await signIn("acme");
    const fromApi = await (await api("/api/sites/acme/prospects?format=csv")).text();
    expect(await (await user.get("/app/sites/acme/prospects.csv")).text()).toBe(fromApi);
    const excel = await (await user.get("/app/sites/acme/prospects.csv?bom=1")).arrayBuffer();
    expect([...new Uint8Array(excel).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });
});

describe("tokens limited to sites", () => {
  it("shows only the sites a token reaches and refuses the others", async () => {
    await createSite("acme", RULES);
    await createSite("other", RULES);
    const res = await api("/api/tokens", "POST", { name: "acme sales", scope: "read", sites: ["acme"] });
    expect(res.status).toBe(201);
    const user = await signIn("acme", ((await res.json()) as { secret: string }).secret);
    const html = await (await user.get("/app/sites/acme")).text();
    expect(texts(html, /<option value="([^"]*)"/g)).toEqual(["acme"]);
    expect((await user.get("/app/sites/other")).status).toBe(403);
  });
});

import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../worker/index";
import { IGNORED_HEADER } from "../../worker/routes/collect";
import { sha256Hex } from "../../worker/lib/hash";
import { api, beaconBody, call, createSite, event, ORIGIN, sendBeacon, tableCounts, track, visitor } from "../support/api";
import { signIn } from "../support/console";
import { seedAliases } from "../support/seed";
import { captureQueue, drainQueue, type Queued } from "../support/jobs";

const DAY = 86_400_000;
const TABLES = ["sites", "rule_sets", "visitors", "events", "prospect_lists", "prospect_list_rows", "api_tokens", "erased_visitors", "jobs", "webhook_failures"];

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

/** Every cell of every table as one string: what a database dump would show. */
async function everything(): Promise<string> {
  const dumps = await Promise.all(TABLES.map(async (t) => JSON.stringify((await env.DB.prepare(`SELECT * FROM ${t}`).all()).results)));
  return dumps.join("\n");
}

/** A stored prospect list for today with these visitors on it, made by the cron. */
async function storeTodaysList(): Promise<string> {
  const date = new Date().toISOString().slice(0, 10);
  await runCron(Date.parse(`${date}T23:00:00Z`));
  return date;
}

const busyVisit = (visitorId: string) => track("acme", visitorId, ...Array.from({ length: 10 }, () => event("pageview", "/contact")));

describe("privacy", () => {
  it("stores no IP address, user agent, or referrer query string", async () => {
    await createSite();
    const ua = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0 PrivacyProbe/9.9";
    const body = beaconBody("acme", "visitor-0001", [event("pageview", "/", 0, { r: "https://mail.example/inbox?user=ana%40acme.example#msg" })]);
    const res = await call("/e", {
      method: "POST",
      headers: { origin: ORIGIN, "user-agent": ua, "cf-connecting-ip": "203.0.113.77", "x-forwarded-for": "203.0.113.77", "x-real-ip": "203.0.113.77" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
    const dump = await everything();
    expect(dump).toContain("visitor-0001");
    for (const secret of ["203.0.113.77", "PrivacyProbe", "Firefox", "ana%40acme", "user="]) expect(dump).not.toContain(secret);
    expect((await visitor("acme", "visitor-0001")).source).toEqual({ referrer: "https://mail.example/inbox" });
  });

  it("keeps a stored list's line count, which the console shows, right after erasing one of its prospects", async () => {
    await createSite();
    for (const v of ["visitor-gone", "visitor-kept1", "visitor-kept2"]) await busyVisit(v);
    const date = await storeTodaysList();
    const lines = async () => (await env.DB.prepare("SELECT lines FROM prospect_lists WHERE site_id = 'acme'").first<{ lines: number | null }>())?.lines;
    const user = await signIn("acme");
    const shown = async () => /([\d,]+) prospects, best first/.exec(await (await user.get(`/app/sites/acme/prospects?date=${date}`)).text())?.[1];
    expect(await lines()).toBe(3);
    expect(await shown()).toBe("3");
    expect((await api("/api/sites/acme/visitors/visitor-gone", "DELETE")).status).toBe(200);
    expect(await lines()).toBe(2);
    expect(await shown()).toBe("2");
    // A list stored before the count was kept is counted when shown.
    await env.DB.prepare("UPDATE prospect_lists SET lines = NULL").run();
    expect(await shown()).toBe("2");
  });

  it("erases a person with more visitor ids than a statement can bind, in one request", async () => {
    await createSite();
    await busyVisit("visitor-main");
    await seedAliases("acme", "visitor-main", 150);
    const res = await api("/api/sites/acme/visitors/visitor-main", "DELETE");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { visitorIds: string[] }).visitorIds).toHaveLength(151);
    expect((await tableCounts()).visitors).toBe(0);
    expect((await env.DB.prepare("SELECT count(*) AS n FROM erased_visitors").first<{ n: number }>())?.n).toBe(151);
    const again = await sendBeacon(beaconBody("acme", "alias-0149", [event("pageview")]));
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 0, ignored: "erased" });
  });

  it("erases every row of a visitor, keeps others, and never tracks the id again", async () => {
    await createSite();
    await busyVisit("visitor-gone");
    await busyVisit("visitor-kept");
    const date = await storeTodaysList();
    const listed = (await (await api(`/api/sites/acme/prospects?date=${date}`)).json()) as { prospects: { visitorId: string }[] };
    expect(listed.prospects.map((p) => p.visitorId).sort()).toEqual(["visitor-gone", "visitor-kept"]);

    const res = await api("/api/sites/acme/visitors/visitor-gone", "DELETE");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ site: "acme", visitor: "visitor-gone", visitorIds: ["visitor-gone"], erased: { events: 10, visitor: true, prospectLists: 1 } });

    expect(await everything()).not.toContain("visitor-gone");
    const tombstone = await env.DB.prepare("SELECT visitor_hash FROM erased_visitors").first<{ visitor_hash: string }>();
    expect(tombstone?.visitor_hash).toBe(await sha256Hex("visitor-gone"));
    expect((await api("/api/sites/acme/visitors/visitor-gone")).status).toBe(404);
    const after = (await (await api(`/api/sites/acme/prospects?date=${date}`)).json()) as { prospects: { visitorId: string }[] };
    expect(after.prospects.map((p) => p.visitorId)).toEqual(["visitor-kept"]);
    expect((await visitor("acme", "visitor-kept")).score).toBe(60);

    // The same browser comes back: accepted, nothing stored.
    const before = await tableCounts();
    const again = await sendBeacon(beaconBody("acme", "visitor-gone", [event("pageview", "/pricing")]));
    expect(again.status).toBe(202);
    expect(again.headers.get(IGNORED_HEADER)).toBe("erased");
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 0, ignored: "erased" });
    expect(await tableCounts()).toEqual(before);

    // Erasing again is harmless.
    const repeat = await api("/api/sites/acme/visitors/visitor-gone", "DELETE");
    expect(await repeat.json()).toEqual({ site: "acme", visitor: "visitor-gone", visitorIds: ["visitor-gone"], erased: { events: 0, visitor: false, prospectLists: 0 } });
    expect((await tableCounts()).erased_visitors).toBe(1);
  });

  it("erases an id only on its own site", async () => {
    await createSite("acme");
    await createSite("other");
    await track("other", "visitor-0001", event("pageview"));
    await track("acme", "visitor-0001", event("pageview"));
    expect((await api("/api/sites/acme/visitors/visitor-0001", "DELETE")).status).toBe(200);
    expect((await visitor("other", "visitor-0001")).score).toBe(1);
    expect((await sendBeacon(beaconBody("other", "visitor-0001", [event("pageview")]))).headers.get(IGNORED_HEADER)).toBeNull();
  });

  it.each([
    ["an invalid visitor id", "/api/sites/acme/visitors/a%20b", 400],
    ["an unknown site", "/api/sites/nobody/visitors/visitor-0001", 404],
  ])("answers an erasure of %s with %i and changes nothing", async (_name, path, status) => {
    await createSite();
    const before = await tableCounts();
    expect((await api(path, "DELETE")).status).toBe(status);
    expect(await tableCounts()).toEqual(before);
  });

  it("purges raw events past a site's retention in the daily run, and keeps the scores", async () => {
    await createSite("short", undefined, { retentionDays: 30 });
    await createSite("long");
    await track("short", "visitor-0001", event("pageview", "/contact"), event("pageview", "/"));
    await track("long", "visitor-0001", event("pageview", "/contact"));
    // The daily run happens after each site's list hour (7 local): late evening UTC of the day N days on.
    const lateOn = (days: number) => Date.parse(`${new Date(Date.now() + days * DAY).toISOString().slice(0, 10)}T23:00:00Z`);

    await runCron(lateOn(29));
    expect((await tableCounts()).events).toBe(3);
    await runCron(lateOn(31));
    const left = await env.DB.prepare("SELECT site_id FROM events").all<{ site_id: string }>();
    expect(left.results.map((r) => r.site_id)).toEqual(["long"]);
    expect((await visitor("short", "visitor-0001")).score).toBe(7);
    expect((await visitor("short", "visitor-0001")).recentEvents).toEqual([]);
  });
});

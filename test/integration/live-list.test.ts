import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../worker/index";
import { LIVE_SCAN } from "../../worker/ingest/live-list";
import { sweepChunk } from "../../worker/jobs/sweep";
import { CONSOLE_LIST_PAGE } from "../../worker/routes/console-prospects";
import { ruleSetSchema, type RuleSetInput } from "../../worker/scoring/rules";
import { database } from "../../worker/store/db";
import { runBatch } from "../../worker/store/raw";
import { findSite } from "../../worker/store/sites";
import { api, createSite } from "../support/api";
import { signIn } from "../support/console";
import { captureQueue, drainQueue, type Queued } from "../support/jobs";
import { seedLeads } from "../support/seed";

const SETTINGS = { visitTimeoutMs: 30 * 60_000, timezone: "UTC" };
const PAGE_VIEWS: RuleSetInput = { prospectAt: 3, rules: [{ id: "pv", label: "Page view", points: 1, when: { event: "pageview" } }] };
// Nothing here waits on a clock; seeding a few thousand leads takes seconds on a loaded machine.
const SLOW = { timeout: 120_000 };

interface ListJson {
  stored: boolean;
  prospects: { visitorId: string; score: number }[];
  nextCursor: string | null;
}

let queued: Queued[] = [];
beforeEach(() => {
  queued = captureQueue();
});
afterEach(() => vi.restoreAllMocks());

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);

/** Leads with `views` page views each (their score under PAGE_VIEWS). */
async function leads(prefix: string, n: number, views: number): Promise<string[]> {
  const list = ids(prefix, n);
  await seedLeads("acme", list, views, ruleSetSchema.parse(PAGE_VIEWS), SETTINGS);
  return list;
}

/** Stored scores left high, as before the sweep that finds the leads' scores fell under the threshold. */
async function staleHigh(visitorIds: string[], score: number): Promise<void> {
  await env.DB.prepare("UPDATE visitors SET score = ? WHERE site_id = 'acme' AND id IN (SELECT value FROM json_each(?))").bind(score, JSON.stringify(visitorIds)).run();
}

/** Every page of today's list, following nextCursor. */
async function walk(limit: number): Promise<{ pages: ListJson[]; lines: ListJson["prospects"] }> {
  const pages: ListJson[] = [];
  for (let cursor: string | null | undefined; cursor !== null; ) {
    const res = await api(`/api/sites/acme/prospects?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as ListJson;
    pages.push(page);
    cursor = page.nextCursor;
  }
  return { pages, lines: pages.flatMap((p) => p.prospects) };
}

describe("today's live prospect list", () => {
  it("walks down the score index a page at a time, scoring each lead now and leaving out who dropped under the threshold", async () => {
    await createSite("acme", PAGE_VIEWS, { listHour: 23 });
    const four = await leads("four", 3, 4);
    const five = await leads("five", 2, 5);
    await leads("two", 4, 2);
    const fell = await leads("fell", 3, 1);
    await staleHigh(fell, 9);

    const { pages, lines } = await walk(2);
    expect(pages.every((p) => !p.stored && p.prospects.length <= 2)).toBe(true);
    // Stored-score order (ties by id, descending); the stale leads are read but are not prospects now.
    expect(lines.map((l) => l.visitorId)).toEqual([...five.reverse(), ...four.reverse()]);
    expect(lines.map((l) => l.score)).toEqual([5, 5, 4, 4, 4]);
    expect(pages.at(-1)?.nextCursor).toBeNull();
  });

  it("answers fewer lines, with a cursor, when a page meets more leads that dropped than it may read", SLOW, async () => {
    await createSite("acme", PAGE_VIEWS, { listHour: 23 });
    const fell = await leads("fell", LIVE_SCAN + 10, 1);
    await staleHigh(fell, 9);
    const [prospect] = await leads("real", 1, 4);

    const first = (await (await api("/api/sites/acme/prospects?limit=10")).json()) as ListJson;
    expect(first.prospects).toEqual([]);
    expect(first.nextCursor).not.toBeNull();
    const { lines } = await walk(10);
    expect(lines.map((l) => l.visitorId)).toEqual([prospect]);
  });

  it("refuses a live cursor once the day's list is stored, and a cursor it never gave out", async () => {
    await createSite("acme", PAGE_VIEWS, { listHour: 23 });
    await leads("four", 3, 4);
    const page = (await (await api("/api/sites/acme/prospects?limit=1")).json()) as ListJson;
    expect(page.nextCursor).not.toBeNull();
    const today = new Date().toISOString().slice(0, 10);
    await env.DB.prepare("INSERT INTO prospect_lists (site_id, date, rows, created_at, paged) VALUES ('acme', ?, '[]', ?, 1)").bind(today, Date.now()).run();
    const stale = await api(`/api/sites/acme/prospects?limit=1&cursor=${page.nextCursor}`);
    expect(stale.status).toBe(400);
    expect(((await stale.json()) as { error: { message: string } }).error.message).toMatch(/live list.*stored since/);
    expect((await api(`/api/sites/acme/prospects?cursor=${btoa('["x"]')}`)).status).toBe(400);
  });

  it("streams the whole live list as CSV, in the JSON's order", async () => {
    await createSite("acme", PAGE_VIEWS, { listHour: 23 });
    await leads("four", 3, 4);
    await leads("two", 2, 2);
    const { lines } = await walk(500);
    const csv = (await (await api("/api/sites/acme/prospects?format=csv")).text()).trimEnd().split("\r\n");
    expect(csv.slice(1).map((l) => l.split(",")[0])).toEqual(lines.map((l) => l.visitorId));
  });

  it("shows the console a page at a time, with a link to the next", async () => {
    await createSite("acme", PAGE_VIEWS, { listHour: 23 });
    await leads("four", CONSOLE_LIST_PAGE + 5, 4);
    const user = await signIn("acme");
    const first = await (await user.get("/app/sites/acme/prospects")).text();
    expect(first.match(/<tr><th scope="row">/g)).toHaveLength(CONSOLE_LIST_PAGE);
    const next = /href="([^"]*cursor=[^"]*)" rel="next"/.exec(first)?.[1];
    expect(next).toBeDefined();
    const second = await (await user.get((next as string).replaceAll("&amp;", "&"))).text();
    expect(second.match(/<tr><th scope="row">/g)).toHaveLength(5);
    expect(second).not.toMatch(/rel="next"/);
  });
});

describe("the hourly sweep", () => {
  const DECAYING: RuleSetInput = { ...PAGE_VIEWS, dimensions: { engagement: { decay: { halfLifeDays: 1 } } } };

  it("starts for sites with leads due, keeps one job row per site, and stores the scores as of its hour", SLOW, async () => {
    await createSite("acme", DECAYING, { listHour: 23 });
    await createSite("calm", PAGE_VIEWS, { listHour: 23 });
    await seedLeads("acme", ids("lead", 30), 6, ruleSetSchema.parse(DECAYING), SETTINGS);
    await env.DB.prepare("UPDATE visitors SET next_change_at = 0 WHERE site_id = 'acme'").run();
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;

    const jobsOf = async () => (await env.DB.prepare("SELECT site_id AS site, id, kind, status, created_at AS createdAt FROM jobs WHERE kind = 'sweep'").all()).results;
    await worker.scheduled(createScheduledController({ scheduledTime: hour, cron: "0 * * * *" }), env);
    await drainQueue(queued);
    expect(await jobsOf()).toEqual([{ site: "acme", id: "sweep", kind: "sweep", status: "done", createdAt: hour }]);
    // Six page views six days ago, halved every day: under the threshold, so nobody is on the live list.
    const stored = await env.DB.prepare("SELECT max(score) AS top, min(next_change_at) AS next FROM visitors WHERE site_id = 'acme'").first<{ top: number; next: number | null }>();
    expect(stored?.top).toBeLessThan(3);
    expect(((await (await api("/api/sites/acme/prospects")).json()) as ListJson).prospects).toEqual([]);

    // An hour later nothing is due: the row stays as it was. Made due again, the same row runs again.
    await env.DB.prepare("UPDATE visitors SET next_change_at = ? WHERE site_id = 'acme'").bind(hour + 1).run();
    await worker.scheduled(createScheduledController({ scheduledTime: hour + 3_600_000, cron: "0 * * * *" }), env);
    await drainQueue(queued);
    expect(await jobsOf()).toEqual([{ site: "acme", id: "sweep", kind: "sweep", status: "done", createdAt: hour + 3_600_000 }]);
  });

  it("lets one of two sweeps that found the same crossing store it, so the crossing is notified once", async () => {
    const rising: RuleSetInput = { ...PAGE_VIEWS, rules: [...PAGE_VIEWS.rules, { id: "quiet", points: 2, when: { absent: "pageview", days: 1 } }] };
    await createSite("acme", rising, { listHour: 23 });
    const set = ruleSetSchema.parse(rising);
    await seedLeads("acme", ["lead-1"], 2, set, SETTINGS);
    await env.DB.prepare("UPDATE visitors SET next_change_at = 0, score = 2, prospect_since = NULL WHERE site_id = 'acme'").run();
    const db = database(env.DB);
    const site = await findSite(db, "acme");
    if (!site) throw new Error("no site");
    const now = Date.now();
    const [a, b] = [await sweepChunk(db, site, set, now), await sweepChunk(db, site, set, now)];
    const [first] = await runBatch(db, [a.write as D1PreparedStatement]);
    const [second] = await runBatch(db, [b.write as D1PreparedStatement]);
    expect(first?.results).toEqual([{ id: "lead-1" }]);
    expect(second?.results).toEqual([]);
  });
});

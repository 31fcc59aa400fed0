import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../worker/index";
import { SITES_PER_CRON_PAGE } from "../../worker/jobs/cron";
import { DAILY_LEADS_PER_CHUNK } from "../../worker/jobs/daily";
import { ruleSetSchema, type RuleSetInput } from "../../worker/scoring/rules";
import { api } from "../support/api";
import { captureQueue, drainMetered } from "../support/jobs";
import { seedLeads } from "../support/seed";

const SITES = 120;
const STATEMENT_BUDGET = 50;
const SETTINGS = { visitTimeoutMs: 30 * 60_000, timezone: "UTC" };
const siteId = (i: number) => `site-${String(i).padStart(4, "0")}`;
const leadIds = (n: number) => Array.from({ length: n }, (_, i) => `lead-${String(i).padStart(4, "0")}`);
// Seeding and draining hundreds of messages takes seconds on a loaded machine; nothing here waits on a clock.
const SLOW = { timeout: 120_000 };
const PAGE_VIEWS: RuleSetInput = { prospectAt: 3, rules: [{ id: "pv", label: "Page view", points: 1, when: { event: "pageview" } }] };
const DECAYING: RuleSetInput = { ...PAGE_VIEWS, dimensions: { engagement: { decay: { halfLifeDays: 1 } } } };

async function createSites(count: number, listHourOf: (i: number) => number): Promise<void> {
  const rules = JSON.stringify(ruleSetSchema.parse(PAGE_VIEWS));
  const now = Date.now();
  const statements = Array.from({ length: count }, (_, i) => [
    env.DB.prepare("INSERT INTO sites (id, name, origins, list_hour, created_at) VALUES (?, ?, '[\"https://x.example\"]', ?, ?)").bind(siteId(i), `Site ${i}`, listHourOf(i), now),
    env.DB.prepare("INSERT INTO rule_sets (site_id, version, rules, created_at) VALUES (?, 1, ?, ?)").bind(siteId(i), rules, now),
  ]).flat();
  await env.DB.batch(statements);
}

/** Runs the cron at `at` and every message it leads to, metering D1 per queue delivery. */
async function meteredCron(at: number) {
  const queued = captureQueue();
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "0 * * * *" }), env);
  const { drained, meters } = await drainMetered(queued);
  return { drained, meters, calls: meters.map((m) => m.statements + (m.unmetered ?? 0)) };
}

const today8 = () => Date.parse(`${new Date().toISOString().slice(0, 10)}T08:00:00Z`);
const count = async (sql: string) => (await env.DB.prepare(sql).first<{ n: number }>())?.n;

afterEach(() => vi.restoreAllMocks());

describe("the hourly cron", () => {
  it("fans out over any number of sites, one message per page and per due site, each within a D1 statement budget", SLOW, async () => {
    // Sites 0-109 have their list hour at 7; the last ten at 23, not due at 08:00.
    await createSites(SITES, (i) => (i < SITES - 10 ? 7 : 23));
    // One site has leads whose scores decay; all are due (as after the migration that added the column).
    await env.DB.prepare("UPDATE rule_sets SET rules = ? WHERE site_id = ?").bind(JSON.stringify(ruleSetSchema.parse(DECAYING)), siteId(0)).run();
    const decaying = ruleSetSchema.parse(DECAYING);
    const leads = DAILY_LEADS_PER_CHUNK + 50;
    await seedLeads(siteId(0), leadIds(leads), 3, decaying, SETTINGS);
    await env.DB.prepare("UPDATE visitors SET next_change_at = 0 WHERE site_id = ?").bind(siteId(0)).run();

    const at = today8();
    const run = await meteredCron(at);
    const kinds = run.drained.delivered.map((d) => d.body.kind);
    expect(kinds.filter((k) => k === "cron")).toHaveLength(Math.ceil(SITES / SITES_PER_CRON_PAGE));
    expect(kinds.filter((k) => k === "job").length).toBeGreaterThanOrEqual(SITES - 10);
    expect(run.drained.delivered.every((d) => d.outcome === "ack")).toBe(true);
    // No invocation comes near the limits, whatever the number of sites and leads.
    expect(Math.max(...run.calls)).toBeLessThanOrEqual(STATEMENT_BUDGET);
    expect(Math.min(...run.calls)).toBeGreaterThan(0);
    // Rows read stay proportional to the due leads (a few per lead), not to leads times chunk size.
    expect(Math.max(...run.meters.map((m) => m.read))).toBeLessThanOrEqual(6 * leads);

    expect(await count("SELECT count(*) AS n FROM prospect_lists")).toBe(SITES - 10);
    expect(await count("SELECT count(*) AS n FROM jobs WHERE kind = 'daily' AND status = 'done'")).toBe(SITES - 10);
    // The sweep re-evaluated every due lead and stored when each next changes (later than the run, or never).
    expect(await count(`SELECT count(*) AS n FROM visitors WHERE site_id = '${siteId(0)}' AND next_change_at <= ${at}`)).toBe(0);
    const daily = (await (await api(`/api/sites/${siteId(0)}/jobs/daily-${new Date(at).toISOString().slice(0, 10)}`)).json()) as { status: string; progress: { swept: number } };
    expect(daily).toMatchObject({ status: "done", progress: expect.objectContaining({ swept: leads }) });

    // The next hour: every due site's run is done for the day, so only the fan-out pages run.
    const again = await meteredCron(at + 3_600_000);
    expect(again.drained.delivered.map((d) => d.body.kind)).toEqual(["cron", "cron"]);
  });

  it("restarts a job whose chain of messages stopped, from its cursor", SLOW, async () => {
    await createSites(1, () => 7);
    const at = today8();
    // A daily run that started an hour ago and lost its message.
    await env.DB.prepare("INSERT INTO jobs (site_id, id, kind, status, processed, created_at, updated_at) VALUES (?, ?, 'daily', 'running', 0, ?, ?)")
      .bind(siteId(0), `daily-${new Date(at).toISOString().slice(0, 10)}`, at - 3_600_000, at - 3_600_000)
      .run();
    await meteredCron(at);
    expect(await count("SELECT count(*) AS n FROM jobs WHERE status = 'done'")).toBe(1);
    expect(await count("SELECT count(*) AS n FROM prospect_lists")).toBe(1);
  });
});

describe("the retention purge", () => {
  it("deletes only expired events, visitor by visitor, and moves each visitor's mark to its oldest kept event", SLOW, async () => {
    await createSites(1, () => 7);
    await env.DB.prepare("UPDATE sites SET retention_days = 30").run();
    const at = today8();
    const day = 86_400_000;
    const rules = ruleSetSchema.parse(PAGE_VIEWS);
    await seedLeads(siteId(0), ["old-visitor", "new-visitor"], 2, rules, SETTINGS);
    // old-visitor: first seen 40 days ago, one event then and one yesterday; new-visitor: recent only.
    await env.DB.batch([
      env.DB.prepare("UPDATE visitors SET first_seen = ? WHERE id = 'old-visitor'").bind(at - 40 * day),
      env.DB.prepare("UPDATE events SET ts = ? WHERE visitor_id = 'old-visitor' AND id LIKE '%-0'").bind(at - 40 * day),
      env.DB.prepare("UPDATE events SET ts = ? WHERE visitor_id = 'old-visitor' AND id LIKE '%-1'").bind(at - day),
    ]);
    await meteredCron(at);
    const left = await env.DB.prepare("SELECT visitor_id, ts FROM events ORDER BY visitor_id, ts").all<{ visitor_id: string; ts: number }>();
    expect(left.results.map((r) => r.visitor_id)).toEqual(["new-visitor", "new-visitor", "old-visitor"]);
    const marks = await env.DB.prepare("SELECT id, retained_from FROM visitors ORDER BY id").all<{ id: string; retained_from: number | null }>();
    expect(marks.results).toEqual([
      { id: "new-visitor", retained_from: null },
      { id: "old-visitor", retained_from: at - day },
    ]);
    const daily = (await (await api(`/api/sites/${siteId(0)}/jobs/daily-${new Date(at).toISOString().slice(0, 10)}`)).json()) as { progress: { purged: number } };
    expect(daily.progress.purged).toBe(1);
  });
});

describe("a stored prospect list", () => {
  it("is stored in chunks of rows and served a page at a time in rank order, also inside a group of equal scores", SLOW, async () => {
    await createSites(1, () => 7);
    const rules = ruleSetSchema.parse(PAGE_VIEWS);
    const leads = DAILY_LEADS_PER_CHUNK + 50;
    await seedLeads(siteId(0), leadIds(leads), 3, rules, SETTINGS);
    const at = today8();
    await meteredCron(at);
    const date = new Date(at).toISOString().slice(0, 10);
    expect(await count("SELECT count(*) AS n FROM prospect_list_rows")).toBe(leads);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url = `/api/sites/${siteId(0)}/prospects?date=${date}&limit=100${cursor ? `&cursor=${cursor}` : ""}`;
      const page = (await (await api(url)).json()) as { stored: boolean; prospects: { visitorId: string; score: number }[]; nextCursor: string | null };
      expect(page.stored).toBe(true);
      seen.push(...page.prospects.map((p) => p.visitorId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(3);
    // Equal scores and the same crossing time: by id, every lead once.
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(leads);

    const csv = (await (await api(`/api/sites/${siteId(0)}/prospects?date=${date}&format=csv`)).text()).trimEnd().split("\r\n");
    expect(csv).toHaveLength(leads + 1);
    expect(csv.slice(1).map((line) => line.split(",")[0])).toEqual(seen);
  });

  it("answers 400 for a cursor it did not give out", async () => {
    await createSites(1, () => 7);
    expect((await api(`/api/sites/${siteId(0)}/prospects?cursor=bm9wZQ`)).status).toBe(400);
  });
});

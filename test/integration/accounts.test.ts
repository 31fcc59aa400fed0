import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../worker/index";
import { ACCOUNT_LEADS_PER_CHUNK } from "../../worker/jobs/daily";
import { ruleSetSchema } from "../../worker/scoring/rules";
import { api, createSite, event, track } from "../support/api";
import { captureQueue, drainMetered, drainQueue, type Queued } from "../support/jobs";
import { seedLeads } from "../support/seed";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Seeding and draining a thousand leads takes seconds on a loaded machine; nothing here waits on a clock.
const SLOW = { timeout: 120_000 };
const STATEMENT_BUDGET = 50;

const identify = (d: Record<string, string>) => event("identify", "/", 0, { d });
const rules = {
  prospectAt: 15,
  rules: [
    { id: "pv", points: 5, when: { event: "pageview" } },
    { id: "director", points: 10, when: { trait: "title", equals: "Director" } },
  ],
};

let queued: Queued[] = [];
beforeEach(() => {
  queued = captureQueue();
});
afterEach(() => vi.restoreAllMocks());

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** The next 08:00 UTC after now: every site's daily run is due then (list hour 7 by default, or earlier). */
const next8 = (days = 0) => Date.parse(`${dayOf(Date.now() + DAY * (days + 1))}T08:00:00Z`);

/** The hourly cron at `at`, and every message its fan-out hands on, run to the end. */
async function runCron(at: number): Promise<void> {
  await worker.scheduled(createScheduledController({ scheduledTime: at, cron: "0 * * * *" }), env);
  await drainQueue(queued);
}

interface AccountsJson {
  stored: boolean;
  date: string | null;
  asOf: string | null;
  total: number;
  accounts: { account: string; score: number; leads: number; topLeads: { visitorId: string; email: string | null; score: number }[] }[];
  nextCursor: string | null;
}

const accounts = async (query = "") => (await (await api(`/api/sites/acme/accounts${query}`)).json()) as AccountsJson;
const column = async (id: string) => (await env.DB.prepare("SELECT account FROM visitors WHERE id = ?").bind(id).first<{ account: string | null }>())?.account;

describe("GET /api/sites/:site/accounts", () => {
  it("rolls leads up by company, or by work email domain, leaving out free mail and anonymous visitors, at the daily run", async () => {
    await createSite("acme", rules);
    await track("acme", "visitor-0001", event("pageview"), event("pageview"), identify({ email: "ana@initech.example", title: "Director" }));
    await track("acme", "visitor-0002", event("pageview"), identify({ email: "eve@initech.example" }));
    await track("acme", "visitor-0003", event("pageview"), identify({ email: "bo@gmail.com", company: "Globex " }));
    await track("acme", "visitor-0004", event("pageview"), identify({ email: "di@gmail.com" }));
    await track("acme", "visitor-0005", event("pageview"));

    // Before the site's first daily run nothing is rolled up, and the answer says so.
    expect(await accounts()).toEqual({ site: "acme", stored: false, date: null, asOf: null, total: 0, accounts: [], nextCursor: null });

    const at = next8();
    await runCron(at);
    const res = await api("/api/sites/acme/accounts");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      site: "acme",
      stored: true,
      date: dayOf(at),
      asOf: new Date(at).toISOString(),
      total: 2,
      nextCursor: null,
      accounts: [
        {
          account: "initech.example",
          score: 25,
          dimensions: { engagement: 15, fit: 10 },
          leads: 2,
          prospects: 1,
          topLeads: [
            { visitorId: "visitor-0001", email: "ana@initech.example", score: 20 },
            { visitorId: "visitor-0002", email: "eve@initech.example", score: 5 },
          ],
        },
        {
          account: "globex",
          score: 5,
          dimensions: { engagement: 5, fit: 0 },
          leads: 1,
          prospects: 0,
          topLeads: [{ visitorId: "visitor-0003", email: "bo@gmail.com", score: 5 }],
        },
      ],
    });
  });

  it("keeps each lead's account column as its writes change it, and leaves it alone otherwise", async () => {
    await createSite("acme", rules);
    await track("acme", "visitor-0001", event("pageview"));
    expect(await column("visitor-0001")).toBeNull();
    await track("acme", "visitor-0001", identify({ email: "ana@initech.example" }));
    expect(await column("visitor-0001")).toBe("initech.example");
    await track("acme", "visitor-0001", identify({ company: "Initrode" }));
    expect(await column("visitor-0001")).toBe("initrode");
    await track("acme", "visitor-0001", event("pageview"));
    expect(await column("visitor-0001")).toBe("initrode");
  });

  it("shows a lead erased since the roll-up nowhere among the best leads", async () => {
    await createSite("acme", rules);
    await track("acme", "visitor-0001", event("pageview"), identify({ email: "ana@initech.example" }));
    await track("acme", "visitor-0002", event("pageview"), event("pageview"), identify({ email: "eve@initech.example" }));
    await runCron(next8());
    expect((await api("/api/sites/acme/visitors/visitor-0002", "DELETE")).status).toBe(200);
    const [initech] = (await accounts()).accounts;
    expect(initech?.topLeads).toEqual([{ visitorId: "visitor-0001", email: "ana@initech.example", score: 5 }]);
    // Nor is its id kept in the stored roll-up; the other lead's entry stays as it was.
    const stored = await env.DB.prepare("SELECT top_leads FROM account_rollup_rows WHERE site_id = 'acme'").all<{ top_leads: string }>();
    expect(stored.results.map((r) => JSON.parse(r.top_leads))).toEqual([[{ visitorId: "visitor-0001", score: 5 }]]);
  });

  it("serves the newest roll-up and deletes the rows of older ones", async () => {
    await createSite("acme", rules);
    await track("acme", "visitor-0001", event("pageview"), identify({ email: "ana@initech.example" }));
    await runCron(next8());
    await track("acme", "visitor-0002", event("pageview"), identify({ email: "eve@globex.example" }));
    const second = next8(1);
    await runCron(second);
    const body = await accounts();
    expect(body.date).toBe(dayOf(second));
    expect(body.accounts.map((a) => a.account).sort()).toEqual(["globex.example", "initech.example"]);
    const rows = await env.DB.prepare("SELECT DISTINCT date FROM account_rollup_rows UNION SELECT date FROM account_rollups").all<{ date: string }>();
    expect(rows.results.map((r) => r.date)).toEqual([dayOf(second)]);
  });

  it.each([
    ["a limit of 0", "limit=0", 400],
    ["an unknown parameter", "order=name", 400],
    ["a cursor it did not give out", "cursor=bm90LWEtY3Vyc29y", 400],
  ])("answers %s with %i", async (_name, query, status) => {
    await createSite("acme", rules);
    expect((await api(`/api/sites/acme/accounts?${query}`)).status).toBe(status);
  });

  it("answers 404 for an unknown site", async () => {
    expect((await api("/api/sites/nobody/accounts")).status).toBe(404);
  });
});

describe("the daily account roll-up", () => {
  it("walks leads in chunks, counts an account spanning two chunks once, and serves it a page at a time", SLOW, async () => {
    const pageViews = ruleSetSchema.parse({ prospectAt: 3, rules: [{ id: "pv", label: "Page view", points: 1, when: { event: "pageview" } }] });
    await createSite("acme", { prospectAt: 3, rules: [{ id: "pv", label: "Page view", points: 1, when: { event: "pageview" } }] });
    const n = ACCOUNT_LEADS_PER_CHUNK + 50;
    const ids = Array.from({ length: n }, (_, i) => `lead-${String(i).padStart(4, "0")}`);
    await seedLeads("acme", ids, 1, pageViews, { visitTimeoutMs: 30 * 60_000, timezone: "UTC" });
    // In account order: 500 leads of alpha, then 530 of middle (over the first chunk's end), then 20 of zulu;
    // a visitor merged into another lead stays out.
    await env.DB.prepare(
      `UPDATE visitors SET account = CASE WHEN id < 'lead-0500' THEN 'alpha' WHEN id < 'lead-1030' THEN 'middle' ELSE 'zulu' END WHERE site_id = 'acme'`,
    ).run();
    await env.DB.prepare("UPDATE visitors SET lead_id = 'lead-0000' WHERE id = 'lead-1049'").run();

    await worker.scheduled(createScheduledController({ scheduledTime: next8(), cron: "0 * * * *" }), env);
    const { drained, meters } = await drainMetered(queued);
    const calls = meters.map((m) => m.statements + (m.unmetered ?? 0));
    expect(Math.max(...calls)).toBeLessThanOrEqual(STATEMENT_BUDGET);
    expect(drained.delivered.every((d) => d.outcome === "ack")).toBe(true);

    const body = await accounts("?limit=1");
    expect(body).toMatchObject({ stored: true, total: 3, accounts: [{ account: "middle", score: 530, leads: 530 }] });
    const seen = [...body.accounts];
    for (let cursor = body.nextCursor; cursor; ) {
      const page = await accounts(`?limit=1&cursor=${cursor}`);
      seen.push(...page.accounts);
      cursor = page.nextCursor;
    }
    expect(seen.map((a) => [a.account, a.leads, a.score])).toEqual([
      ["middle", 530, 530],
      ["alpha", 500, 500],
      ["zulu", 19, 19],
    ]);
    // Equal scores: the lowest visitor ids first.
    expect(seen[0]?.topLeads.map((l) => l.visitorId)).toEqual(["lead-0500", "lead-0501", "lead-0502"]);
  });
});

// The whole-site operations the scale bench measures, one small entry each. An entry drives the worker
// the way Cloudflare would (a request, a cron run, then the queue batches they sent) through the context;
// each of those is one measured invocation.
import { encodeCursor } from "../../../worker/lib/cursor";
import { BENCH_SITE, FULL_LEAD, leadId } from "./ids";
import { benchRules } from "./rules";

/** What an operation may do; every request, cron run and queue batch is measured on its own. */
export interface OperationContext {
  /** Leads seeded. */
  leads: number;
  /** When the database was seeded: the time its data is as of. */
  seededAt: number;
  /** Batches of one kind (a job and phase) measured before a long job is moved on or stopped. */
  perPhase: number;
  /** The database without the meter, for finding what an operation needs (not measured). */
  raw: D1Database;
  env: Env;
  /** Free-form facts for the report (e.g. how many prospects a list held). */
  notes: Record<string, string | number>;
  request(label: string, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }>;
  scheduled(label: string, at: number): Promise<void>;
  /**
   * Delivers queued messages (and those they queue) batch by batch; labels start with `prefix`. Once
   * `perLabel` batches of one label have run, `whenFull` may move the job on (answer true) before the next
   * one; otherwise the drain stops there.
   */
  drain(prefix: string, limit?: { perLabel?: number; whenFull?: (bodies: unknown[], label: string) => Promise<boolean> }): Promise<void>;
}

/** One operation of the bench. */
export interface Operation {
  id: string;
  run(ctx: OperationContext): Promise<void>;
}

const api = `/api/sites/${BENCH_SITE}`;

/** A beacon with one page view, as the tracker sends it. */
function beacon(visitor: string, id: string) {
  const now = Date.now();
  return { s: BENCH_SITE, v: visitor, t: now, e: [{ i: id, n: "pageview", t: now, u: "https://bench.example/pricing" }] };
}

function expectStatus(res: { status: number; text: string }, ...ok: number[]): void {
  if (!ok.includes(res.status)) throw new Error(`answered ${res.status}: ${res.text.slice(0, 200)}`);
}

/** The operations, in the order they run on one database (the two that leave a job running last). */
export const operations: Operation[] = [
  {
    id: "beacon",
    async run(ctx) {
      // The first beacon of an isolate reads the site; later ones find it in the isolate's cache.
      expectStatus(await ctx.request("POST /e, page view of a known lead (fresh isolate)", "POST", "/e", beacon(leadId(2), "bench-beacon-0001")), 202);
      expectStatus(await ctx.request("POST /e, page view of another known lead (warm isolate)", "POST", "/e", beacon(leadId(4), "bench-beacon-0002")), 202);
      expectStatus(await ctx.request("POST /e, page view of a new visitor (warm isolate)", "POST", "/e", beacon("bench-new-visitor-0001", "bench-beacon-0003")), 202);
    },
  },
  {
    id: "server-events",
    async run(ctx) {
      const now = Date.now();
      const events = Array.from({ length: 100 }, (_, k) => ({ id: `bench-server-event-${String(k).padStart(3, "0")}`, type: "email_open", at: now - k * 1000 }));
      expectStatus(await ctx.request(`POST ${api}/events, 100 events`, "POST", `${api}/events`, { visitorId: leadId(3), events }), 202);
    },
  },
  {
    id: "visitor",
    async run(ctx) {
      // Lead 1 has two more visitor ids merged into it (see seed.ts).
      const res = await ctx.request("GET one visitor (a lead with 3 visitor ids)", "GET", `${api}/visitors/${leadId(1)}`);
      expectStatus(res, 200);
      ctx.notes.visitorIds = (JSON.parse(res.text) as { visitorIds: string[] }).visitorIds.length;
    },
  },
  {
    id: "leaderboard-first",
    async run(ctx) {
      expectStatus(await ctx.request("GET leaderboard, first page (50)", "GET", `${api}/visitors?limit=50`), 200);
    },
  },
  {
    id: "leaderboard-deep",
    async run(ctx) {
      // The middle of the largest group of leads with the same score.
      const group = await ctx.raw
        .prepare("SELECT score, count(*) AS n FROM visitors WHERE site_id = ? AND lead_id IS NULL GROUP BY score ORDER BY n DESC LIMIT 1")
        .bind(BENCH_SITE)
        .first<{ score: number; n: number }>();
      if (!group) throw new Error("no leads");
      const middle = await ctx.raw
        .prepare("SELECT id FROM visitors WHERE site_id = ? AND lead_id IS NULL AND score = ? ORDER BY id LIMIT 1 OFFSET ?")
        .bind(BENCH_SITE, group.score, Math.floor(group.n / 2))
        .first<{ id: string }>();
      ctx.notes.tieGroup = group.n;
      const cursor = encodeCursor(["score", group.score, middle?.id ?? ""]);
      expectStatus(await ctx.request(`GET leaderboard, a page inside a tie group`, "GET", `${api}/visitors?limit=50&cursor=${cursor}`), 200);
    },
  },
  {
    id: "leaderboard-last-seen",
    async run(ctx) {
      // No index orders leads by when they were last seen (one would cost beacons index writes): this page
      // sorts the site's leads, and the table shows what that reads.
      expectStatus(await ctx.request("GET leaderboard by last seen, first page (50)", "GET", `${api}/visitors?limit=50&order=lastSeen`), 200);
    },
  },
  {
    id: "prospects-live",
    async run(ctx) {
      const res = await ctx.request("GET prospects, live list (first page of 500)", "GET", `${api}/prospects`);
      expectStatus(res, 200);
      ctx.notes.prospects = (JSON.parse(res.text) as { prospects: unknown[] }).prospects.length;
    },
  },
  {
    id: "prospects-live-csv",
    async run(ctx) {
      const res = await ctx.request("GET prospects, live list as CSV (all of it, streamed)", "GET", `${api}/prospects?format=csv`);
      expectStatus(res, 200);
      ctx.notes.lines = res.text.trimEnd().split("\r\n").length - 1;
    },
  },
  {
    id: "rules-preview",
    async run(ctx) {
      expectStatus(await ctx.request("POST rules/preview, first page", "POST", `${api}/rules/preview`, benchRules(2)), 200);
    },
  },
  {
    id: "sweep",
    async run(ctx) {
      // The hourly sweep an hour after the last one (see templates.ts), started as the cron starts it.
      const at = ctx.seededAt + 3_600_000;
      const due = await ctx.raw
        .prepare("SELECT count(*) AS n FROM visitors WHERE site_id = ? AND lead_id IS NULL AND next_change_at <= ?")
        .bind(BENCH_SITE, at)
        .first<{ n: number }>();
      ctx.notes.due = due?.n ?? 0;
      await ctx.raw
        .prepare("INSERT INTO jobs (site_id, id, kind, status, processed, created_at, updated_at) VALUES (?, 'sweep', 'sweep', 'queued', 0, ?, ?)")
        .bind(BENCH_SITE, at, at)
        .run();
      await ctx.env.JOBS.send({ kind: "job", site: BENCH_SITE, job: "sweep" });
      await ctx.drain("", { perLabel: ctx.perPhase });
    },
  },
  {
    id: "cron",
    async run(ctx) {
      // An hour after the seeded data's time, after that hour's sweep: the daily run.
      const at = ctx.seededAt + 3_600_000;
      const count = async (sql: string, ...params: unknown[]) => (await ctx.raw.prepare(sql).bind(...params).first<{ n: number }>())?.n ?? 0;
      const rules = benchRules();
      ctx.notes.due = await count("SELECT count(*) AS n FROM visitors WHERE site_id = ? AND lead_id IS NULL AND next_change_at <= ?", BENCH_SITE, at);
      ctx.notes.prospects = await count("SELECT count(*) AS n FROM visitors WHERE site_id = ? AND lead_id IS NULL AND score >= ?", BENCH_SITE, rules.prospectAt);
      ctx.notes.expired = await count("SELECT count(*) AS n FROM events WHERE site_id = ? AND ts < ?", BENCH_SITE, at - 60 * 86_400_000);
      await ctx.scheduled("cron: scheduled run", at);
      // A daily job's sweep and list phases are moved on once enough of their chunks are measured (the
      // list is finished as usual), its account roll-up (measured whole by "accounts") skipped to training;
      // its purge, the last phase, is stopped.
      await ctx.drain("", {
        perLabel: ctx.perPhase,
        whenFull: async (bodies) => {
          const b = bodies[0] as { site?: string; job?: string };
          const moved = await ctx.raw
            .prepare(
              `UPDATE jobs SET cursor = json_remove(json_set(cursor, '$.phase',
                 CASE json_extract(cursor, '$.phase') WHEN 'sweep' THEN 'list-top' WHEN 'accounts' THEN 'train' ELSE 'list-due' END,
                 '$.previous', json_extract(cursor, '$.previous')), '$.after', '$.open', '$.rolled')
               WHERE site_id = ? AND id = ? AND json_extract(cursor, '$.phase') IN ('sweep', 'list-top', 'accounts')`,
            )
            .bind(b.site ?? "", b.job ?? "")
            .run();
          return moved.meta.changes === 1;
        },
      });
      ctx.notes.listDate = new Date(at).toISOString().slice(0, 10);
    },
  },
  {
    id: "prospects-stored",
    async run(ctx) {
      const date = new Date(ctx.seededAt + 3_600_000).toISOString().slice(0, 10);
      const res = await ctx.request("GET prospects, stored list (first page)", "GET", `${api}/prospects?date=${date}`);
      expectStatus(res, 200);
      const body = JSON.parse(res.text) as { stored: boolean; prospects: unknown[] };
      ctx.notes.stored = String(body.stored);
      ctx.notes.prospects = body.prospects.length;
    },
  },
  {
    id: "accounts",
    async run(ctx) {
      const before = await ctx.request("GET accounts, before any roll-up", "GET", `${api}/accounts`);
      expectStatus(before, 200);
      ctx.notes.storedBefore = String((JSON.parse(before.text) as { stored: boolean }).stored);
      // The next day's daily run, started at its account phase (the other phases are measured by "cron"): a
      // job the cron finds stalled and re-enqueues. Every chunk of the roll-up runs, then the bench stops
      // at the purge.
      const at = ctx.seededAt + 3_600_000 + 86_400_000;
      const id = `daily-${new Date(at).toISOString().slice(0, 10)}`;
      const cursor = JSON.stringify({ phase: "accounts", rolled: 0, swept: 0, listed: 0, purged: 0 });
      await ctx.raw
        .prepare("INSERT OR REPLACE INTO jobs (site_id, id, kind, status, cursor, processed, created_at, updated_at) VALUES (?, ?, 'daily', 'running', ?, 0, ?, ?)")
        .bind(BENCH_SITE, id, cursor, at, at - 3_600_000)
        .run();
      ctx.notes.accountLeads =
        (await ctx.raw.prepare("SELECT count(*) AS n FROM visitors WHERE site_id = ? AND account IS NOT NULL AND lead_id IS NULL").bind(BENCH_SITE).first<{ n: number }>())?.n ?? 0;
      await ctx.scheduled("cron: scheduled run (re-enqueues the daily run)", at);
      const started = performance.now();
      await ctx.drain("", { perLabel: 1, whenFull: async (_bodies, label) => label.includes("accounts chunk") });
      ctx.notes.rollUpSeconds = Math.round((performance.now() - started) / 1000);
      const first = await ctx.request("GET accounts, first page (50)", "GET", `${api}/accounts?limit=50`);
      expectStatus(first, 200);
      const page = JSON.parse(first.text) as { stored: boolean; total: number; nextCursor: string | null; accounts: { leads: number }[] };
      ctx.notes.stored = String(page.stored);
      ctx.notes.accounts = page.total;
      if (page.nextCursor) expectStatus(await ctx.request("GET accounts, second page (50)", "GET", `${api}/accounts?limit=50&cursor=${page.nextCursor}`), 200);
    },
  },
  {
    id: "rescore",
    async run(ctx) {
      const put = await ctx.request("PUT rules (starts the rescore job)", "PUT", `${api}/rules`, benchRules(2));
      expectStatus(put, 200, 202);
      const job = (JSON.parse(put.text) as { job?: { id: string } }).job;
      const started = performance.now();
      await ctx.drain("", { perLabel: ctx.perPhase * 3 });
      const seconds = (performance.now() - started) / 1000;
      if (!job) return;
      const res = await ctx.request("GET rules/jobs/:id (progress)", "GET", `${api}/rules/jobs/${job.id}`);
      expectStatus(res, 200);
      const progress = JSON.parse(res.text) as { status: string; processed: number; total: number | null };
      ctx.notes.job = `${progress.status}, ${progress.processed.toLocaleString("en")} of ${(progress.total ?? 0).toLocaleString("en")} leads`;
      if (progress.status !== "done" && progress.processed > 0 && progress.total) {
        // Stopped by the bench's budget: the rest of the job runs like the chunks measured (leads are alike).
        const rest = (seconds * progress.total) / progress.processed;
        ctx.notes.estimate = `the whole job at this pace: ${Math.round(rest / 60)} min of chunks back to back`;
      }
    },
  },
  {
    id: "full-history",
    async run(ctx) {
      // The heaviest lead a site can have (seed.ts): 9,999 events. New rules make its state stale, so its next
      // beacon replays its whole history in the request, before the job reaches it.
      expectStatus(await ctx.request("GET one visitor (a lead keeping 9,999 events)", "GET", `${api}/visitors/${leadId(FULL_LEAD)}`), 200);
      expectStatus(await ctx.request("PUT rules (again: that lead's state is now stale)", "PUT", `${api}/rules`, benchRules(3)), 200, 202);
      expectStatus(await ctx.request("POST /e, page view of that lead under new rules (replays its history)", "POST", "/e", beacon(leadId(FULL_LEAD), "bench-full-0001")), 202);
      expectStatus(await ctx.request("POST /e, one more page view of it: 429, the lead keeps 10,000 events", "POST", "/e", beacon(leadId(FULL_LEAD), "bench-full-0002")), 429);
    },
  },
];

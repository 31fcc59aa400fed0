import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CHUNK_ATTEMPTS } from "../../worker/jobs/consumer";
import { RESCORE_LEADS_PER_CHUNK, rescoreChunkLeads } from "../../worker/jobs/rescore";
import { database } from "../../worker/store/db";
import { readLeadChunk } from "../../worker/store/lead-chunk";
import { findVisitor } from "../../worker/store/visitor-reads";
import { ruleSetSchema, type RuleSetInput } from "../../worker/scoring/rules";
import { api, createSite, event, track } from "../support/api";
import { failingD1 } from "../support/failing-d1";
import { captureQueue, drainMetered, drainQueue } from "../support/jobs";
import { seedHistory, seedLeads } from "../support/seed";

const V1: RuleSetInput = { prospectAt: 1000, rules: [{ id: "pv", points: 1, when: { event: "pageview" } }] };
const V2: RuleSetInput = { prospectAt: 1000, rules: [{ id: "pv", points: 10, when: { event: "pageview" } }] };
const V3: RuleSetInput = { prospectAt: 1000, rules: [{ id: "pv", points: 100, when: { event: "pageview" } }] };
const SETTINGS = { visitTimeoutMs: 30 * 60_000, timezone: "UTC" };
const LEADS = 90;
// Chunks of 36 leads run the job over LEADS in three chunks; one test runs a chunk of the real size.
const TEST_CHUNK = 36;
const leadId = (i: number) => `lead-${String(i).padStart(4, "0")}`;
// Draining a job's messages takes seconds on a loaded machine; nothing here waits on a clock.
const SLOW = { timeout: 60_000 };

interface JobJson {
  id: string;
  kind: string;
  status: string;
  processed: number;
  total: number | null;
  finishedAt: string | null;
  error: string | null;
}

/** A site on V1 with LEADS leads of three page views each, stored straight into D1. */
async function seededSite(): Promise<void> {
  await createSite("acme", V1);
  const rules = ruleSetSchema.parse(V1);
  await seedLeads("acme", Array.from({ length: LEADS }, (_, i) => leadId(i)), 3, rules, SETTINGS);
}

async function putRules(rules: RuleSetInput): Promise<{ version: number; job: JobJson }> {
  const res = await api("/api/sites/acme/rules", "PUT", rules);
  expect(res.status).toBe(202);
  return res.json();
}

const job = async (id: string) => (await (await api(`/api/sites/acme/rules/jobs/${id}`)).json()) as JobJson;
const lead = (id: string) => findVisitor(database(env.DB), "acme", id);

/** The site's leads at a rules version and score, counted in one query. */
async function leadsAt(rulesVersion: number, score: number): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM visitors WHERE site_id = 'acme' AND lead_id IS NULL AND rules_version = ? AND score = ?")
    .bind(rulesVersion, score)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** A D1 database that runs `before` once, just before its first batch (a rescore chunk's write). */
function beforeFirstBatch(db: D1Database, before: () => Promise<void>): D1Database {
  let ran = false;
  return new Proxy(db, {
    get(target, key) {
      if (key === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          if (!ran) {
            ran = true;
            await before();
          }
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

beforeEach(() => {
  rescoreChunkLeads.max = TEST_CHUNK;
});
afterEach(() => {
  rescoreChunkLeads.max = RESCORE_LEADS_PER_CHUNK;
  vi.restoreAllMocks();
});

describe("the rescore job", () => {
  it("answers 202 with a queued job at once, then rescores every lead in bounded chunks and reports it done", SLOW, async () => {
    await seededSite();
    const queued = captureQueue();
    const started = await putRules(V2);
    expect(started.version).toBe(2);
    expect(started.job).toMatchObject({ kind: "rescore", status: "queued", processed: 0, finishedAt: null });
    // Nothing is rescored inside the request: the version is in force, the leads are not touched yet.
    expect((await lead(leadId(0)))?.rulesVersion).toBe(1);
    expect(queued).toHaveLength(1);

    const { drained, meters } = await drainMetered(queued);
    expect(drained.delivered.map((d) => d.outcome)).toEqual(["ack", "ack", "ack"]);
    expect(drained.delivered).toHaveLength(Math.ceil(LEADS / TEST_CHUNK));
    // Every step stays within a budget of 50 D1 statements (batched and single ones alike).
    for (const m of meters) {
      expect(m.statements).toBeGreaterThan(0);
      expect(m.statements + (m.unmetered ?? 0)).toBeLessThanOrEqual(50);
    }

    expect(await job(started.job.id)).toMatchObject({ status: "done", processed: LEADS, total: LEADS, finishedAt: expect.any(String) });
    for (let i = 0; i < LEADS; i++) {
      const row = await lead(leadId(i));
      expect([row?.rulesVersion, row?.score]).toEqual([2, 30]);
    }
    const listed = (await (await api("/api/sites/acme/jobs?kind=rescore")).json()) as { jobs: JobJson[] };
    expect(listed.jobs.map((j) => [j.id, j.status])).toEqual([[started.job.id, "done"]]);
  });

  it.each(["before", "after"] as const)(
    "resumes from its recorded cursor when a chunk's message fails (the batch lost %s D1 ran it), never starting over",
    SLOW,
    async (when) => {
      await seededSite();
      const queued = captureQueue();
      const started = await putRules(V2);
      // The second message's write batch fails; the queue retries that message.
      const drained = await drainQueue(queued, { db: (n) => (n === 2 ? failingD1(env.DB, 1, when) : env.DB) });
      // Lost before: the retried message runs chunk 2, then chunk 3 follows. Lost after: chunk 2 landed, so
      // the retried message finds the cursor past it and runs chunk 3.
      const expected = when === "before" ? [["ack", 1], ["retry", 1], ["ack", 2], ["ack", 1]] : [["ack", 1], ["retry", 1], ["ack", 2]];
      expect(drained.delivered.map((d) => [d.outcome, d.attempts])).toEqual(expected);
      const done = await job(started.job.id);
      // Each lead rescored exactly once: the chunk that landed before the lost answer is not run again.
      expect(done).toMatchObject({ status: "done", processed: LEADS });
      for (let i = 0; i < LEADS; i++) {
        const row = await lead(leadId(i));
        expect([row?.rulesVersion, row?.score, row?.version]).toEqual([2, 30, 2]);
      }
    },
  );

  it("is marked failed, saying why, when a chunk keeps failing, instead of its messages going away unnoticed", SLOW, async () => {
    await seededSite();
    const queued = captureQueue();
    const started = await putRules(V2);
    const broken = (n: number) => (n === 1 ? env.DB : failingD1(env.DB, 1, "before"));
    const drained = await drainQueue(queued, { db: broken });
    expect(drained.delivered.filter((d) => d.outcome === "retry")).toHaveLength(CHUNK_ATTEMPTS - 1);
    expect(await job(started.job.id)).toMatchObject({ status: "failed", error: expect.stringContaining(`failed ${CHUNK_ATTEMPTS} times`) });
  });

  it("keeps beacons flowing during a rescore, with exact scores after: a lead written mid-job is rescored by its own write", SLOW, async () => {
    await seededSite();
    const queued = captureQueue();
    const started = await putRules(V2);
    await drainQueue(queued, { only: 1 });
    // One lead the job has done, one it has not reached yet.
    await track("acme", leadId(0), event("pageview", "/"));
    await track("acme", leadId(LEADS - 1), event("pageview", "/"), event("pageview", "/"));
    await drainQueue(queued);

    expect((await lead(leadId(0)))?.score).toBe(40);
    expect((await lead(leadId(LEADS - 1)))?.score).toBe(50);
    expect((await lead(leadId(1)))?.score).toBe(30);
    // The lead its beacon already brought to version 2 is skipped, not replayed again.
    expect(await job(started.job.id)).toMatchObject({ status: "done", processed: LEADS - 1 });
    for (let i = 0; i < LEADS; i++) expect((await lead(leadId(i)))?.rulesVersion).toBe(2);
  });

  it("stores a whole chunk of the real size in a few statements, within a step's budget of 50", SLOW, async () => {
    rescoreChunkLeads.max = RESCORE_LEADS_PER_CHUNK;
    const leads = RESCORE_LEADS_PER_CHUNK + 10;
    await createSite("acme", V1);
    await seedLeads("acme", Array.from({ length: leads }, (_, i) => leadId(i)), 3, ruleSetSchema.parse(V1), SETTINGS);
    const queued = captureQueue();
    const started = await putRules(V2);
    const { drained, meters } = await drainMetered(queued);
    expect(drained.delivered.map((d) => d.outcome)).toEqual(["ack", "ack"]);
    const [full] = meters;
    // Site, rules, the count, the chunk's four reads, then the batch: the cursor guard, the leads'
    // upserts (their JSON split at 1 MB), the job's progress.
    expect(full?.statements).toBeLessThanOrEqual(7 + 2 + 4);
    for (const m of meters) expect(m.statements + (m.unmetered ?? 0)).toBeLessThanOrEqual(50);
    expect(await job(started.job.id)).toMatchObject({ status: "done", processed: leads, total: leads });
    expect(await leadsAt(2, 30)).toBe(leads);
  });

  it("leaves a lead a beacon wrote after the chunk read it as that beacon wrote it, and rescores the rest", SLOW, async () => {
    await seededSite();
    const queued = captureQueue();
    const started = await putRules(V2);
    // The beacon lands between the first chunk's reads and its write.
    const beacon = () => track("acme", leadId(5), event("pageview", "/")).then(() => undefined);
    await drainQueue(queued, { db: (n) => (n === 1 ? beforeFirstBatch(env.DB, beacon) : env.DB) });

    // The beacon replayed the lead under V2 itself (3 page views, then its own): the chunk's older replay
    // did not land on it.
    const written = await lead(leadId(5));
    expect([written?.score, written?.version, written?.rulesVersion, written?.state.n]).toEqual([40, 2, 2, 4]);
    expect(await leadsAt(2, 30)).toBe(LEADS - 1);
    expect(await job(started.job.id)).toMatchObject({ status: "done", processed: LEADS });
    // Each lead the job wrote moved one version (seeded at 1).
    const versions = await env.DB.prepare("SELECT version, count(*) AS n FROM visitors WHERE site_id = 'acme' GROUP BY version ORDER BY version").all<{ version: number; n: number }>();
    expect(versions.results).toEqual([{ version: 2, n: LEADS }]);
  });

  it("does not bring back a lead erased after the chunk read it", SLOW, async () => {
    await seededSite();
    const queued = captureQueue();
    const started = await putRules(V2);
    const erase = async () => {
      expect((await api(`/api/sites/acme/visitors/${leadId(5)}`, "DELETE")).status).toBe(200);
    };
    await drainQueue(queued, { db: (n) => (n === 1 ? beforeFirstBatch(env.DB, erase) : env.DB) });

    expect(await lead(leadId(5))).toBeUndefined();
    expect((await api(`/api/sites/acme/visitors/${leadId(5)}`)).status).toBe(404);
    expect(await leadsAt(2, 30)).toBe(LEADS - 1);
    expect(await job(started.job.id)).toMatchObject({ status: "done", processed: LEADS });
  });

  it("is superseded by a newer rules change, whose job brings every lead to the newest version", SLOW, async () => {
    await seededSite();
    const queued = captureQueue();
    const first = await putRules(V2);
    await drainQueue(queued, { only: 1 });
    const second = await putRules(V3);
    await drainQueue(queued);
    expect(await job(first.job.id)).toMatchObject({ status: "superseded", error: "superseded by rules version 3" });
    expect(await job(second.job.id)).toMatchObject({ status: "done" });
    for (let i = 0; i < LEADS; i++) expect((await lead(leadId(i)))?.score).toBe(300);
  });

  it("reads a chunk bounded by events: a lead larger than the cap is read alone, the next chunk goes on after it", async () => {
    await createSite("acme", V1);
    const rules = ruleSetSchema.parse(V1);
    await seedHistory("acme", "big-lead", 8, rules, SETTINGS);
    await seedHistory("acme", "c-lead-1", 2, rules, SETTINGS);
    await seedHistory("acme", "c-lead-2", 2, rules, SETTINGS);
    await seedHistory("acme", "c-lead-3", 2, rules, SETTINGS);
    const db = database(env.DB);
    const first = await readLeadChunk(db, "acme", null, { maxLeads: 10, maxEvents: 5 });
    expect([first.leads.map((l) => l.id), first.eventsRead, first.next]).toEqual([["big-lead"], 8, "big-lead"]);
    const second = await readLeadChunk(db, "acme", first.next, { maxLeads: 10, maxEvents: 5 });
    expect([second.leads.map((l) => l.id), second.eventsRead, second.next]).toEqual([["c-lead-1", "c-lead-2"], 4, "c-lead-2"]);
    const third = await readLeadChunk(db, "acme", second.next, { maxLeads: 10, maxEvents: 5 });
    expect([third.leads.map((l) => l.id), third.next]).toEqual([["c-lead-3"], null]);
  });

  it("answers 404 for a job the site does not have", async () => {
    await createSite("acme", V1);
    expect((await api("/api/sites/acme/rules/jobs/rescore-nope")).status).toBe(404);
    expect((await api("/api/sites/acme/jobs/rescore-nope")).status).toBe(404);
  });
});

import { and, desc, eq, inArray, lt, sql, type SQL } from "drizzle-orm";
import { jobs, type JobKind, type JobRow } from "../../schema";
import type { Database } from "./db";
import { abortIf } from "./guard";

/** Still being worked on: a message for it is (or should be) in the queue. */
export const ACTIVE = ["queued", "running"] as const;

/** A job id that sorts by creation time: `<kind>-<ms in base 36>-<random>`. */
export function newJobId(kind: JobKind, now: number): string {
  return `${kind}-${now.toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}

/** One job of a site, or undefined. */
export function findJob(db: Database, siteId: string, id: string): Promise<JobRow | undefined> {
  return db.select().from(jobs).where(and(eq(jobs.siteId, siteId), eq(jobs.id, id))).get();
}

/** A site's latest jobs, newest first, optionally of one kind. */
export function recentJobs(db: Database, siteId: string, limit: number, kind?: JobKind): Promise<JobRow[]> {
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.siteId, siteId), kind ? eq(jobs.kind, kind) : undefined))
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(limit);
}

/** The statement that creates a job row (for use inside the batch that starts the work). */
export function insertJob(db: Database, job: Pick<JobRow, "siteId" | "id" | "kind"> & Partial<JobRow>, now: number) {
  return db.insert(jobs).values({ status: "queued", createdAt: now, updatedAt: now, ...job }).onConflictDoNothing();
}

/** Marks a site's active jobs of a kind superseded (a newer rules change replaced a rescore). */
export function supersedeJobs(db: Database, siteId: string, kind: JobKind, reason: string, now: number) {
  return db
    .update(jobs)
    .set({ status: "superseded", error: reason, finishedAt: now, updatedAt: now })
    .where(and(eq(jobs.siteId, siteId), eq(jobs.kind, kind), inArray(jobs.status, [...ACTIVE])));
}

/**
 * A batch statement that aborts the batch unless the job is still active with the cursor the chunk read:
 * a duplicate message that already ran this chunk, or a job superseded meanwhile, writes nothing.
 */
export function jobUnmoved(db: Database, job: JobRow) {
  return abortIf(
    db,
    job.siteId,
    sql`(SELECT cursor FROM jobs WHERE site_id = ${job.siteId} AND id = ${job.id}) IS NOT ${job.cursor}
      OR (SELECT status FROM jobs WHERE site_id = ${job.siteId} AND id = ${job.id}) NOT IN ('queued', 'running')`,
  );
}

/** What a chunk changes on its job row. */
export interface JobProgress {
  cursor: string | null;
  /** Rows handled by this chunk (added to `processed`). */
  processed: number;
  done?: boolean;
  total?: number | null;
}

/** The statement that records a chunk's progress, in the same batch as the chunk's writes. */
export function advanceJob(db: Database, job: JobRow, progress: JobProgress, now: number) {
  return db
    .update(jobs)
    .set({
      cursor: progress.cursor,
      processed: sql`${jobs.processed} + ${progress.processed}`,
      status: progress.done ? "done" : "running",
      updatedAt: now,
      ...(progress.done ? { finishedAt: now } : {}),
      ...(progress.total !== undefined ? { total: progress.total } : {}),
    })
    .where(and(eq(jobs.siteId, job.siteId), eq(jobs.id, job.id)));
}

/** Marks one job superseded (a newer rules version is in force), if it is still active. */
export async function supersedeJob(db: Database, job: JobRow, reason: string, now: number): Promise<void> {
  await db
    .update(jobs)
    .set({ status: "superseded", error: reason, finishedAt: now, updatedAt: now })
    .where(and(eq(jobs.siteId, job.siteId), eq(jobs.id, job.id), inArray(jobs.status, [...ACTIVE])));
}

/** Marks a job failed with a reason a person can act on. */
export async function failJob(db: Database, job: JobRow, error: string, now: number): Promise<void> {
  await db
    .update(jobs)
    .set({ status: "failed", error, finishedAt: now, updatedAt: now })
    .where(and(eq(jobs.siteId, job.siteId), eq(jobs.id, job.id), inArray(jobs.status, [...ACTIVE])));
}

/** Active jobs not moved since `before`: their chain of messages stopped, so the cron enqueues them again. */
export function stalledJobs(db: Database, before: number, limit: number): Promise<Pick<JobRow, "siteId" | "id" | "kind">[]> {
  const active: SQL = inArray(jobs.status, [...ACTIVE]) as SQL;
  return db
    .select({ siteId: jobs.siteId, id: jobs.id, kind: jobs.kind })
    .from(jobs)
    .where(and(active, lt(jobs.updatedAt, before)))
    .limit(limit);
}

/** Marks stalled jobs as picked up again, so the next cron run does not enqueue them twice. */
export function touchJobs(db: Database, ids: { siteId: string; id: string }[], now: number) {
  return db.run(sql`UPDATE jobs SET updated_at = ${now} WHERE (site_id, id) IN (
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(${JSON.stringify(ids.map((j) => [j.siteId, j.id]))}))`);
}

/**
 * Creates the daily jobs of (site, date) pairs not yet started and whose list is not stored yet (a list
 * stored before jobs existed counts), in one statement; answers the pairs it created.
 */
export async function startDailyJobs(db: Database, due: { siteId: string; date: string }[], now: number): Promise<{ siteId: string; id: string }[]> {
  if (due.length === 0) return [];
  const rows = await db.all<{ siteId: string; id: string }>(sql`
    INSERT INTO jobs (site_id, id, kind, status, processed, created_at, updated_at)
    SELECT json_extract(value, '$[0]'), 'daily-' || json_extract(value, '$[1]'), 'daily', 'queued', 0, ${now}, ${now}
    FROM json_each(${JSON.stringify(due.map((d) => [d.siteId, d.date]))})
    WHERE NOT EXISTS (SELECT 1 FROM prospect_lists
      WHERE site_id = json_extract(value, '$[0]') AND date = json_extract(value, '$[1]'))
    ON CONFLICT DO NOTHING
    RETURNING site_id AS siteId, id`);
  return rows;
}

/** The one job row of a site's hourly sweep, started again each hour. */
export const SWEEP_JOB_ID = "sweep";

/**
 * Starts the hourly sweep of each of these sites that has leads whose next change time has come (a look at
 * the next-change index, no lead read), unless its previous sweep is still running; answers the sites
 * started. A site keeps one sweep row, so hourly runs do not pile up job rows.
 */
export async function startSweepJobs(db: Database, siteIds: string[], now: number): Promise<{ siteId: string; id: string }[]> {
  if (siteIds.length === 0) return [];
  return db.all<{ siteId: string; id: string }>(sql`
    INSERT INTO jobs (site_id, id, kind, status, processed, created_at, updated_at)
    SELECT value, ${SWEEP_JOB_ID}, 'sweep', 'queued', 0, ${now}, ${now} FROM json_each(${JSON.stringify(siteIds)})
    WHERE EXISTS (SELECT 1 FROM visitors
      WHERE site_id = value AND lead_id IS NULL AND next_change_at IS NOT NULL AND next_change_at <= ${now})
    ON CONFLICT (site_id, id) DO UPDATE SET status = 'queued', cursor = NULL, processed = 0, total = NULL, error = NULL,
      finished_at = NULL, created_at = excluded.created_at, updated_at = excluded.updated_at
    WHERE jobs.status NOT IN ('queued', 'running')
    RETURNING site_id AS siteId, id`);
}

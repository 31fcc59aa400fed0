import type { Database } from "../store/db";
import { stalledJobs, startDailyJobs, touchJobs } from "../store/jobs";
import { sitesAfter } from "../store/sites";
import { localDay, localHour } from "../scoring/local-day";
import { enqueue, jobChunk, type CronPageMessage, type JobMessage } from "./messages";

/** Sites looked at per cron message: one read, and at most this many job messages sent. */
export const SITES_PER_CRON_PAGE = 100;
/** An active job whose row has not moved for this long lost its chain of messages; the cron restarts it. */
export const STALL_MS = 15 * 60_000;

/**
 * One page of the hourly fan-out: starts the daily job of each site in the page whose local list hour has
 * come and whose day's run has not started, and hands the next page to another message. The first page
 * also re-enqueues stalled jobs (a message dropped after its retries), which resume from their cursor.
 */
export async function cronPage(db: Database, queue: Queue, message: CronPageMessage): Promise<void> {
  const { now } = message;
  const page = await sitesAfter(db, message.after, SITES_PER_CRON_PAGE);
  const due = page
    .filter((s) => localHour(now, s.timezone) >= s.listHour)
    .map((s) => ({ siteId: s.id, date: localDay(now, s.timezone) }));
  const started = await startDailyJobs(db, due, now);
  const out: JobMessage[] = started.map((j) => jobChunk(j.siteId, j.id));
  const last = page[page.length - 1];
  if (page.length === SITES_PER_CRON_PAGE && last) out.push({ kind: "cron", after: last.id, now });
  if (message.after === null) {
    const stalled = await stalledJobs(db, now - STALL_MS, SITES_PER_CRON_PAGE);
    if (stalled.length) {
      await touchJobs(db, stalled, now);
      out.push(...stalled.map((j) => jobChunk(j.siteId, j.id)));
    }
  }
  await enqueue(queue, out);
}

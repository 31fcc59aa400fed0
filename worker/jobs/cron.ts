import type { Database } from "../store/db";
import { stalledJobs, startDailyJobs, startSweepJobs, touchJobs } from "../store/jobs";
import { sitesAfter } from "../store/sites";
import { localDay, localHour } from "../scoring/local-day";
import { enqueue, jobChunk, type CronPageMessage, type JobMessage } from "./messages";

/** Sites looked at per cron message: one read, and at most this many job messages sent. */
export const SITES_PER_CRON_PAGE = 100;
/** An active job whose row has not moved for this long lost its chain of messages; the cron restarts it. */
export const STALL_MS = 15 * 60_000;

/**
 * One page of the hourly fan-out: starts the daily job of each site in the page whose local list hour has
 * come and whose day's run has not started, the hourly sweep of each site with leads due, and hands the
 * next page to another message. The first page
 * also re-enqueues stalled jobs (a message dropped after its retries), which resume from their cursor.
 * `control` holds the directory of sites; `siteDb` names the database of each site's own rows (jobs).
 */
export async function cronPage(control: Database, siteDb: (siteId: string) => Database, queue: Queue, message: CronPageMessage): Promise<void> {
  const { now } = message;
  const page = await sitesAfter(control, message.after, SITES_PER_CRON_PAGE);
  const due = page
    .filter((s) => localHour(now, s.timezone) >= s.listHour)
    .map((s) => ({ siteId: s.id, date: localDay(now, s.timezone) }));
  // One statement per database the page's sites live in (one, until sites are spread over several).
  const byDatabase = <T>(items: T[], siteOf: (item: T) => string) => {
    const groups = new Map<Database, T[]>();
    for (const item of items) groups.set(siteDb(siteOf(item)), [...(groups.get(siteDb(siteOf(item))) ?? []), item]);
    return groups;
  };
  const out: JobMessage[] = [];
  for (const [db, sites] of byDatabase(due, (d) => d.siteId)) out.push(...(await startDailyJobs(db, sites, now)).map((j) => jobChunk(j.siteId, j.id)));
  // Every site with leads due gets its hourly sweep, whatever its list hour.
  for (const [db, ids] of byDatabase(page.map((s) => s.id), (id) => id)) out.push(...(await startSweepJobs(db, ids, now)).map((j) => jobChunk(j.siteId, j.id)));
  const last = page[page.length - 1];
  if (page.length === SITES_PER_CRON_PAGE && last) out.push({ kind: "cron", after: last.id, now });
  if (message.after === null) {
    // Jobs are site rows, all in one database today; once sites are spread over several, this scan runs
    // in each of them.
    const stalled = await stalledJobs(control, now - STALL_MS, SITES_PER_CRON_PAGE);
    if (stalled.length) {
      await touchJobs(control, stalled, now);
      out.push(...stalled.map((j) => jobChunk(j.siteId, j.id)));
    }
  }
  await enqueue(queue, out);
}

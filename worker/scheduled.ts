import type { Database } from "./store/db";
import { listSites } from "./store/sites";
import { storedList, storeList } from "./store/prospect-lists";
import { purgeEventsBefore } from "./store/retention";
import { liveProspectList } from "./ingest/daily-list";
import { localDay, localHour } from "./scoring/local-day";

const DAY_MS = 86_400_000;

/** What one scheduled run did. */
export interface ScheduledRun {
  /** Lists stored, as "site/date". */
  stored: string[];
  /** Raw events purged past each site's retention, by site. */
  purged: Record<string, number>;
}

/**
 * The hourly cron: stores each site's prospect list for its local date once the site's list hour has come.
 * A missed hour is caught up on the next run; a list already stored is never rewritten. Right after a
 * site's daily list is stored, its raw events older than its retention are purged (once a day per site).
 */
export async function storeDueLists(db: Database, now: number): Promise<ScheduledRun> {
  const run: ScheduledRun = { stored: [], purged: {} };
  for (const site of await listSites(db)) {
    if (localHour(now, site.timezone) < site.listHour) continue;
    const date = localDay(now, site.timezone);
    if (await storedList(db, site.id, date)) continue;
    await storeList(db, site.id, date, await liveProspectList(db, site, date), now);
    run.stored.push(`${site.id}/${date}`);
    const purged = await purgeEventsBefore(db, site.id, now - site.retentionDays * DAY_MS);
    if (purged > 0) run.purged[site.id] = purged;
  }
  return run;
}

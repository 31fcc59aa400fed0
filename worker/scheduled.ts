import type { Database } from "./store/db";
import { listSites } from "./store/sites";
import { storedList, storeList } from "./store/prospect-lists";
import { liveProspectList } from "./ingest/daily-list";
import { localDay, localHour } from "./scoring/local-day";

/**
 * The hourly cron: stores each site's prospect list for its local date once the site's list hour has come.
 * A missed hour is caught up on the next run; a list already stored is never rewritten.
 */
export async function storeDueLists(db: Database, now: number): Promise<string[]> {
  const stored: string[] = [];
  for (const site of await listSites(db)) {
    if (localHour(now, site.timezone) < site.listHour) continue;
    const date = localDay(now, site.timezone);
    if (await storedList(db, site.id, date)) continue;
    await storeList(db, site.id, date, await liveProspectList(db, site, date), now);
    stored.push(`${site.id}/${date}`);
  }
  return stored;
}

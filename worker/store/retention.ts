import { sql } from "drizzle-orm";
import type { Database } from "./db";

/** Rows deleted per statement: keeps each delete well inside D1's per-query time limit. */
const PURGE_CHUNK = 5_000;
/** Chunks per call: a site with more expired events than this finishes on the next day's run. */
const MAX_CHUNKS = 20;

/**
 * Deletes a site's raw events stamped before `before` (ms). Visitors' scores and states are left as they
 * are: retention drops the history, not the points it earned. Returns how many events were deleted.
 */
export async function purgeEventsBefore(db: Database, siteId: string, before: number): Promise<number> {
  let purged = 0;
  for (let i = 0; i < MAX_CHUNKS; i++) {
    // events has no index on ts (one would cost a row written per event); the scan stays inside the site's
    // key range, and it runs once a day per site.
    const result = await db.run(sql`DELETE FROM events WHERE (site_id, visitor_id, id) IN (
      SELECT site_id, visitor_id, id FROM events WHERE site_id = ${siteId} AND ts < ${before} LIMIT ${PURGE_CHUNK})`);
    purged += result.meta.changes;
    if (result.meta.changes < PURGE_CHUNK) break;
  }
  return purged;
}

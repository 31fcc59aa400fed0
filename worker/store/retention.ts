import type { Database } from "./db";
import { statement } from "./raw";

/**
 * The statement that deletes up to `limit` of a site's raw events stamped before `before` (ms), oldest
 * first, found through the events_by_time index: the events still kept are never read. Visitors' scores
 * and states are left as they are: retention drops the history, not the points it earned.
 */
export function purgeEventsBefore(db: Database, siteId: string, before: number, limit: number): D1PreparedStatement {
  return statement(
    db,
    `DELETE FROM events WHERE (site_id, visitor_id, id) IN (
       SELECT site_id, visitor_id, id FROM events INDEXED BY events_by_time WHERE site_id = ?1 AND ts < ?2 ORDER BY ts LIMIT ?3)`,
    siteId,
    before,
    limit,
  );
}

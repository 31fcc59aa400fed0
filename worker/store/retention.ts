import type { Database } from "./db";
import { statement } from "./raw";

// The visitors of a site whose oldest kept event may be older than `before`: read off visitors_by_retention,
// so visitors whose events are all recent cost nothing. The expression must match the index's.
const DUE = `SELECT id FROM visitors WHERE site_id = ?1 AND coalesce(retained_from, first_seen) < ?2
  ORDER BY coalesce(retained_from, first_seen) LIMIT ?3`;

/**
 * The three statements (one batch) that purge a chunk of up to `visitors` visitors: their raw events stamped
 * before `before` (ms) are deleted, then each visitor's mark moves to its oldest kept event (or to `now`
 * when none is left), which takes it out of the due range until that event expires. Visitors' scores and
 * states are left as they are: retention drops the history, not the points it earned; their leads' counts of
 * kept events are cleared, to be counted again. The first result's changes are the events deleted, the
 * third's the visitors handled (fewer than `visitors`: the last chunk).
 */
export function purgeChunk(db: Database, siteId: string, before: number, visitors: number, now: number): D1PreparedStatement[] {
  return [
    statement(db, `DELETE FROM events WHERE site_id = ?1 AND ts < ?2 AND visitor_id IN (${DUE})`, siteId, before, visitors),
    // Their leads' counts of kept events are now too high: each is counted afresh by the lead's next write.
    statement(
      db,
      `UPDATE visitors SET stored_events = NULL WHERE site_id = ?1 AND stored_events IS NOT NULL
         AND id IN (SELECT coalesce(lead_id, id) FROM visitors WHERE site_id = ?1 AND id IN (${DUE}))`,
      siteId,
      before,
      visitors,
    ),
    statement(
      db,
      `UPDATE visitors SET retained_from = coalesce(
         (SELECT min(ts) FROM events WHERE events.site_id = ?1 AND events.visitor_id = visitors.id), ?4)
       WHERE site_id = ?1 AND id IN (${DUE})`,
      siteId,
      before,
      visitors,
      now,
    ),
  ];
}

import { and, eq, isNotNull, sql, type SQL } from "drizzle-orm";
import { accountRollupRows, erasedVisitors, events, prospectListRows, prospectLists, visitors } from "../../schema";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Database } from "./db";
import { chunks } from "../lib/chunks";
import { jsonIdList } from "./json-ids";

/** The same number of zero bytes as a column's value holds (NULL stays NULL), as text. */
const zeroed = (column: SQLiteColumn) => sql`CASE WHEN ${column} IS NULL THEN NULL ELSE CAST(zeroblob(length(CAST(${column} AS BLOB))) AS TEXT) END`;

// D1 binds at most 100 parameters per statement; a tombstone row binds 3.
const TOMBSTONES_PER_INSERT = 33;

/** What an erasure removed. */
export interface Erased {
  events: number;
  visitor: boolean;
  prospectLists: number;
}

/**
 * Deletes everything stored about a person in one batch: the events and rows of all their visitor ids (a
 * lead and the visitors merged into it), their lines in stored prospect lists and among their account's
 * best leads in stored roll-ups, and a tombstone per id
 * (its hash only) so none is tracked again. A scoring write that read any of them before this lands is
 * aborted by its guard (see commitScored).
 */
export async function eraseVisitors(db: Database, siteId: string, ids: { id: string; hash: string }[], now: number): Promise<Erased> {
  const visitorIds = ids.map((v) => v.id);
  // One JSON parameter, so a person with any number of visitor ids stays within D1's 100 bound parameters.
  const idList = jsonIdList(visitorIds);
  const isErased = (value: SQL | SQLiteColumn) => sql`${value} IN ${idList}`;
  // An entry of a JSON list of lines or leads that names one of them.
  const erasedId = (value: SQL) => isErased(sql`json_extract(${value}, '$.visitorId')`);
  const lists = await db
    .select()
    .from(prospectLists)
    .where(
      and(
        eq(prospectLists.siteId, siteId),
        eq(prospectLists.paged, false),
        sql`EXISTS (SELECT 1 FROM json_each(${prospectLists.rows}) WHERE ${erasedId(sql`value`)})`,
      ),
    );
  // Lines of paged lists: those stored, and those a daily run is writing now (its rows come before the
  // list's header; see jobs/daily.ts), found by date through the list key.
  const listDates = sql`(SELECT date FROM prospect_lists WHERE site_id = ${siteId}
    UNION SELECT substr(id, 7) FROM jobs WHERE site_id = ${siteId} AND kind = 'daily' AND status IN ('queued', 'running'))`;
  const personsLines = sql`prospect_list_rows AS r WHERE r.site_id = ${siteId} AND r.date = prospect_lists.date AND ${isErased(sql`r.visitor_id`)}`;
  const [, , , deletedEvents, deletedVisitors, , deletedLines] = await db.batch([
    // The person's entries among their account's best leads in stored roll-ups (found by the lead's account
    // column, so before it is overwritten below); the roll-up's counts and score stay until the next run.
    db
      .update(accountRollupRows)
      .set({
        topLeads: sql`(SELECT json_group_array(json(kept.value)) FROM (
          SELECT value FROM json_each(${accountRollupRows.topLeads}) WHERE NOT ${erasedId(sql`value`)} ORDER BY key) AS kept)`,
      })
      .where(
        and(
          eq(accountRollupRows.siteId, siteId),
          sql`${accountRollupRows.account} IN (SELECT account FROM visitors WHERE site_id = ${siteId} AND ${isErased(sql`id`)} AND account IS NOT NULL)`,
          sql`EXISTS (SELECT 1 FROM json_each(${accountRollupRows.topLeads}) WHERE ${erasedId(sql`value`)})`,
        ),
      ),
    // SQLite frees a deleted row's bytes without clearing them, and D1 refuses PRAGMA secure_delete (and
    // VACUUM), so what names the person is first overwritten in place with as many zero bytes: the freed
    // space then holds zeros, not their email, traits and properties. (Keys and index entries cannot be
    // overwritten this way; README, "Erasure", says what remains.)
    db
      .update(events)
      .set({ props: zeroed(events.props), path: zeroed(events.path) })
      .where(and(eq(events.siteId, siteId), isErased(events.visitorId))),
    db
      .update(visitors)
      .set({ state: zeroed(visitors.state), source: zeroed(visitors.source), email: zeroed(visitors.email), account: zeroed(visitors.account) })
      .where(and(eq(visitors.siteId, siteId), isErased(visitors.id))),
    db.delete(events).where(and(eq(events.siteId, siteId), isErased(events.visitorId))),
    db.delete(visitors).where(and(eq(visitors.siteId, siteId), isErased(visitors.id))).returning({ id: visitors.id }),
    // Stored lists keep their line count: less the person's lines, counted before they go.
    db
      .update(prospectLists)
      .set({ lines: sql`lines - (SELECT count(*) FROM ${personsLines})` })
      .where(and(eq(prospectLists.siteId, siteId), isNotNull(prospectLists.lines), sql`EXISTS (SELECT 1 FROM ${personsLines})`)),
    db
      .delete(prospectListRows)
      .where(and(eq(prospectListRows.siteId, siteId), sql`${prospectListRows.date} IN ${listDates}`, isErased(prospectListRows.visitorId)))
      .returning({ date: prospectListRows.date }),
    // Tombstones a few dozen to a statement (three parameters each), not one statement per id.
    ...chunks(ids, TOMBSTONES_PER_INSERT).map((chunk) =>
      db
        .insert(erasedVisitors)
        .values(chunk.map((v) => ({ siteId, visitorHash: v.hash, erasedAt: now })))
        .onConflictDoNothing(),
    ),
    ...lists.map((list) =>
      db
        .update(prospectLists)
        .set({ rows: list.rows.filter((r) => !visitorIds.includes(r.visitorId)) })
        .where(and(eq(prospectLists.siteId, siteId), eq(prospectLists.date, list.date))),
    ),
  ]);
  const pagedLists = new Set(deletedLines.map((l) => l.date)).size;
  return { events: deletedEvents.meta.changes, visitor: deletedVisitors.length > 0, prospectLists: lists.length + pagedLists };
}

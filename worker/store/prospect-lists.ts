import { and, asc, desc, eq, lt, sql } from "drizzle-orm";
import { prospectListRows, prospectLists } from "../../schema";
import type { ProspectRow } from "../scoring/prospects";
import type { Database } from "./db";
import { statement } from "./raw";

/** The stored list of a site for a local date (its header row), or undefined while it is not complete. */
export function storedList(db: Database, siteId: string, date: string) {
  return db.select().from(prospectLists).where(and(eq(prospectLists.siteId, siteId), eq(prospectLists.date, date))).get();
}

/** The date of the latest list stored before a date, and whether its lines are rows, or undefined. */
export function listBefore(db: Database, siteId: string, date: string) {
  return db
    .select({ date: prospectLists.date, paged: prospectLists.paged })
    .from(prospectLists)
    .where(and(eq(prospectLists.siteId, siteId), lt(prospectLists.date, date)))
    .orderBy(desc(prospectLists.date))
    .limit(1)
    .get();
}

/**
 * Which of these visitor ids are on the site's list of `date`: lines stored as rows, or inside the one
 * blob of a list stored before lists were paged.
 */
export async function onList(db: Database, siteId: string, date: string, visitorIds: string[]): Promise<Set<string>> {
  if (visitorIds.length === 0) return new Set();
  const ids = JSON.stringify(visitorIds);
  const rows = await db.all<{ id: string }>(sql`
    SELECT visitor_id AS id FROM prospect_list_rows
      WHERE site_id = ${siteId} AND date = ${date} AND visitor_id IN (SELECT value FROM json_each(${ids}))
    UNION
    SELECT json_extract(r.value, '$.visitorId') FROM prospect_lists AS p, json_each(p.rows) AS r
      WHERE p.site_id = ${siteId} AND p.date = ${date} AND p.paged = 0
        AND json_extract(r.value, '$.visitorId') IN (SELECT value FROM json_each(${ids}))`);
  return new Set(rows.map((r) => r.id));
}

/** The statement that adds a chunk of lines to a list being stored; lines already there stay as they are. */
export function insertListRows(db: Database, siteId: string, date: string, rows: ProspectRow[]): D1PreparedStatement {
  return statement(
    db,
    `INSERT INTO prospect_list_rows (site_id, date, visitor_id, score, since, email, email_verified, class, grade, is_new, reasons, stage, probability)
     SELECT ?1, ?2, json_extract(value, '$.visitorId'), json_extract(value, '$.score'), json_extract(value, '$.since'),
       json_extract(value, '$.email'), coalesce(json_extract(value, '$.emailVerified'), 0), json_extract(value, '$.class'), json_extract(value, '$.grade'),
       json_extract(value, '$.isNew'), json_extract(value, '$.reasons'), json_extract(value, '$.stage'), json_extract(value, '$.probability')
     FROM json_each(?3)
     -- A lead erased since the chunk read it stays off the list.
     WHERE EXISTS (SELECT 1 FROM visitors WHERE site_id = ?1 AND id = json_extract(value, '$.visitorId'))
     ON CONFLICT DO NOTHING`,
    siteId,
    date,
    JSON.stringify(rows),
  );
}

/** The statement that marks a list complete: from then on it is the stored list, and it never changes. */
export function finishList(db: Database, siteId: string, date: string, now: number): D1PreparedStatement {
  return statement(
    db,
    `INSERT INTO prospect_lists (site_id, date, rows, created_at, paged, lines)
     VALUES (?1, ?2, '[]', ?3, 1, (SELECT count(*) FROM prospect_list_rows WHERE site_id = ?1 AND date = ?2)) ON CONFLICT DO NOTHING`,
    siteId,
    date,
    now,
  );
}

/** Where a page of a stored list starts: after this line in rank order. */
export interface ListCursor {
  score: number;
  since: number;
  visitorId: string;
}

/** A page of a stored list's lines in rank order (best score, then who crossed first, then id). */
export async function listPage(db: Database, siteId: string, date: string, limit: number, after?: ListCursor): Promise<ProspectRow[]> {
  const t = prospectListRows;
  const page = after
    ? sql`(${t.score} < ${after.score} OR (${t.score} = ${after.score} AND (${t.since}, ${t.visitorId}) > (${after.since}, ${after.visitorId})))`
    : undefined;
  const rows = await db
    .select()
    .from(t)
    .where(and(eq(t.siteId, siteId), eq(t.date, date), page))
    .orderBy(desc(t.score), asc(t.since), asc(t.visitorId))
    .limit(limit);
  return rows.map((r) => ({
    visitorId: r.visitorId,
    email: r.email,
    emailVerified: r.emailVerified,
    score: r.score,
    class: r.class,
    grade: r.grade,
    since: r.since,
    isNew: r.isNew,
    ...(r.stage !== null ? { stage: r.stage } : {}),
    probability: r.probability,
    reasons: r.reasons,
  }));
}

/** The dates of a site's stored lists, newest first (at most `limit`). */
export async function storedListDates(db: Database, siteId: string, limit: number): Promise<string[]> {
  const rows = await db
    .select({ date: prospectLists.date })
    .from(prospectLists)
    .where(eq(prospectLists.siteId, siteId))
    .orderBy(desc(prospectLists.date))
    .limit(limit);
  return rows.map((r) => r.date);
}

/**
 * How many lines a stored list has: the count kept with it, or for a list stored before the count was kept,
 * a count off its rows (or the length of an older list's one blob). 0 for a date with no stored list.
 */
export async function listSize(db: Database, siteId: string, date: string): Promise<number> {
  const rows = await db.all<{ n: number }>(sql`
    SELECT coalesce(l.lines, CASE WHEN l.paged THEN (SELECT count(*) FROM prospect_list_rows r WHERE r.site_id = l.site_id AND r.date = l.date)
      ELSE json_array_length(l.rows) END) AS n
    FROM prospect_lists l WHERE l.site_id = ${siteId} AND l.date = ${date}`);
  return rows[0]?.n ?? 0;
}

/** A stored list's size, its new prospects, and the rules named among the new ones' reasons: one aggregate read. */
export async function listFigures(db: Database, siteId: string, date: string) {
  const [sizes, rules] = await Promise.all([
    db.all<{ prospects: number; fresh: number }>(sql`
      SELECT count(*) AS prospects, coalesce(sum(is_new), 0) AS fresh FROM prospect_list_rows WHERE site_id = ${siteId} AND date = ${date}`),
    db.all<{ rule: string; label: string; leads: number; points: number }>(sql`
      SELECT json_extract(r.value, '$.rule') AS rule, max(json_extract(r.value, '$.label')) AS label, count(*) AS leads,
        sum(json_extract(r.value, '$.points')) AS points
      FROM prospect_list_rows AS p, json_each(p.reasons) AS r
      WHERE p.site_id = ${siteId} AND p.date = ${date} AND p.is_new = 1 GROUP BY 1`),
  ]);
  return { prospects: sizes[0]?.prospects ?? 0, newProspects: sizes[0]?.fresh ?? 0, newProspectRules: rules };
}

import { and, asc, desc, eq, gte, inArray, isNull, lt, ne, sql, type SQL } from "drizzle-orm";
import { visitors, type VisitorRow } from "../../schema";
import type { Database } from "./db";
import { chunks } from "../lib/chunks";

/**
 * `id IN (ids of the site's visitors where `which`)`: for a `which` on an indexed column (lead_id, email),
 * the ids come from that index alone and the rows by key. Asked for whole rows directly, SQLite prefers
 * walking the site's primary-key range, which reads every visitor of the site.
 */
export function idsWhere(db: Database, siteId: string, which: SQL) {
  return inArray(visitors.id, db.select({ id: visitors.id }).from(visitors).where(and(eq(visitors.siteId, siteId), which)));
}

/** One visitor, or undefined. */
export function findVisitor(db: Database, siteId: string, id: string): Promise<VisitorRow | undefined> {
  return db.select().from(visitors).where(and(eq(visitors.siteId, siteId), eq(visitors.id, id))).get();
}

/**
 * The query for the site's oldest lead (not merged into another) identified with this email, except
 * `exceptId`: at most one row, found through the email index.
 */
export function oldestLeadWithEmail(db: Database, siteId: string, email: string, exceptId?: string) {
  return db
    .select()
    .from(visitors)
    .where(
      and(
        eq(visitors.siteId, siteId),
        idsWhere(db, siteId, eq(visitors.email, email.toLowerCase())),
        isNull(visitors.leadId),
        exceptId === undefined ? undefined : ne(visitors.id, exceptId),
      ),
    )
    .orderBy(asc(visitors.firstSeen), asc(visitors.id))
    .limit(1);
}

/** The id of the site's lead identified with this email, or undefined. */
export async function visitorIdByEmail(db: Database, siteId: string, email: string): Promise<string | undefined> {
  return (await oldestLeadWithEmail(db, siteId, email))[0]?.id;
}

/** The site's lead identified with this email (not a visitor merged into it), or undefined. */
export async function leadByEmail(db: Database, siteId: string, email: string): Promise<VisitorRow | undefined> {
  const id = await visitorIdByEmail(db, siteId, email);
  return id === undefined ? undefined : findVisitor(db, siteId, id);
}

/** What the leaderboard can be ordered by: the score column, or when the lead was last seen. */
export type LeaderboardOrder = "score" | "lastSeen";

/** Where a page of an ordered scan starts: after this order key (score or lastSeen) and id. */
export interface ScanCursor {
  key: number;
  id: string;
}

/** Filters a scan can apply in SQL: a score range (on the stored score column) and a trait's value. */
export interface ScanFilters {
  minScore?: number;
  /** Exclusive. */
  belowScore?: number;
  /** The trait equals this text, without regard to case (numbers and booleans compare as text). */
  trait?: { name: string; equals: string };
}

/** One window of an ordered scan: the leads in it that passed the filters, and where the next window starts. */
export interface ScanWindow {
  rows: VisitorRow[];
  /** The last lead the window covered, when the window was full (more may follow); null at the end. */
  end: ScanCursor | null;
}

/**
 * Walks the site's leads in leaderboard order (score or lastSeen, highest first, ties by id descending) after an
 * optional cursor, covering at most `scan` leads, and answers those among them that pass `filters`. The
 * window bounds the rows a filtered page returns however rare the matches are; the caller follows `end`.
 * Order by score walks the score index. Order by lastSeen has no index (one would cost every beacon a
 * fourth row written, over the write budget), so each window sorts the site's leads by last_seen.
 */
export async function scanLeaders(
  db: Database,
  siteId: string,
  { order, after, scan, filters = {} }: { order: LeaderboardOrder; after?: ScanCursor; scan: number; filters?: ScanFilters },
): Promise<ScanWindow> {
  const key = order === "score" ? visitors.score : visitors.lastSeen;
  // Both keys descending, as the (site_id, score, id) index over leads runs: a window by score is one range
  // read of that index wherever it starts, also deep inside a run of equal scores.
  const page = after ? sql`(${key}, ${visitors.id}) < (${after.key}, ${after.id})` : undefined;
  const window = await db
    .select({ key, id: visitors.id })
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), isNull(visitors.leadId), page))
    .orderBy(desc(key), desc(visitors.id))
    .limit(scan);
  if (window.length === 0) return { rows: [], end: null };
  // The rows by key, in a second statement: joined to the window in one query, SQLite may walk the score
  // index over the whole site to produce the order instead (measured: 2.15M rows read for one page at 1M leads).
  const { minScore, belowScore, trait } = filters;
  const ids = window.map((w) => w.id);
  const rows = await db
    .select()
    .from(visitors)
    .where(
      and(
        eq(visitors.siteId, siteId),
        sql`${visitors.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
        minScore === undefined ? undefined : gte(visitors.score, minScore),
        belowScore === undefined ? undefined : lt(visitors.score, belowScore),
        // The name is bound as a JSON path key, quoted, so no name can reach outside the traits. They are at
        // $.t in the stored state, at $.traits in states stored before it (see store/state-codec.ts).
        trait
          ? sql`lower(coalesce(json_extract(${visitors.state}, '$.t.' || json_quote(${trait.name})), json_extract(${visitors.state}, '$.traits.' || json_quote(${trait.name})))) = lower(${trait.equals})`
          : undefined,
      ),
    );
  const rank = new Map(ids.map((id, i) => [id, i]));
  rows.sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
  const last = window.length === scan ? window[window.length - 1] : undefined;
  return { rows, end: last ? { key: last.key, id: last.id } : null };
}

/** What a list export shows of a lead beyond its score: its traits, when it was last seen, where it came from. */
export interface LeadDetails {
  traits: Record<string, string | number | boolean>;
  lastSeen: number;
  source: Record<string, string> | null;
}

// D1 binds at most 100 parameters per statement: the site id and this many visitor ids.
const IDS_PER_QUERY = 90;

/** Traits, last seen and source of some of a site's visitors, in one round trip. */
export async function leadDetails(db: Database, siteId: string, ids: readonly string[]): Promise<Map<string, LeadDetails>> {
  const queries = chunks(ids, IDS_PER_QUERY).map((chunk) =>
    db
      .select({ id: visitors.id, state: visitors.state, lastSeen: visitors.lastSeen, source: visitors.source })
      .from(visitors)
      .where(and(eq(visitors.siteId, siteId), inArray(visitors.id, chunk))),
  );
  const [first, ...rest] = queries;
  const results = first ? await db.batch([first, ...rest]) : [];
  return new Map(results.flat().map((r) => [r.id, { traits: r.state.traits, lastSeen: r.lastSeen, source: r.source }]));
}

/** A lead as an outcome upload needs it: the row that holds its score, and its latest outcome. */
export interface LeadOutcome {
  leadId: string;
  outcome: string | null;
}

/** For each known visitor id, its lead (itself unless merged) and that lead's latest outcome. */
export async function leadOutcomesByVisitor(db: Database, siteId: string, ids: string[]): Promise<Map<string, LeadOutcome>> {
  const pick = { id: visitors.id, leadId: visitors.leadId, outcome: visitors.outcome };
  const read = async (list: string[]) =>
    (await Promise.all(chunks([...new Set(list)], IDS_PER_QUERY).map((s) => db.select(pick).from(visitors).where(and(eq(visitors.siteId, siteId), inArray(visitors.id, s)))))).flat();
  const rows = await read(ids);
  const leads = new Map((await read(rows.flatMap((r) => (r.leadId ? [r.leadId] : [])))).map((r) => [r.id, r]));
  const out = new Map<string, LeadOutcome>();
  for (const r of rows) {
    const lead = r.leadId ? leads.get(r.leadId) : r;
    out.set(r.id, { leadId: lead?.id ?? r.id, outcome: lead?.outcome ?? null });
  }
  return out;
}

/** For each email some lead is identified with, that lead (the oldest, as visitorIdByEmail picks) and its latest outcome. */
export async function leadOutcomesByEmail(db: Database, siteId: string, emails: string[]): Promise<Map<string, LeadOutcome>> {
  const rows = (
    await Promise.all(
      chunks([...new Set(emails)], IDS_PER_QUERY).map((s) =>
        db
          .select({ id: visitors.id, email: visitors.email, outcome: visitors.outcome })
          .from(visitors)
          .where(and(eq(visitors.siteId, siteId), inArray(visitors.email, s), isNull(visitors.leadId)))
          .orderBy(desc(visitors.firstSeen), desc(visitors.id)),
      ),
    )
  ).flat();
  // Oldest last, so it wins.
  return new Map(rows.map((r) => [r.email as string, { leadId: r.id, outcome: r.outcome }]));
}

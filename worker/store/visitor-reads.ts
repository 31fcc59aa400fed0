import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, or } from "drizzle-orm";
import { visitors, type VisitorRow } from "../../schema";
import type { Database } from "./db";

/** Where a leaderboard page starts: after this score and id. */
export interface LeaderboardCursor {
  score: number;
  id: string;
}

/** Leads by score, best first (ties by id), after an optional cursor; served from the score index. */
export function leaderboard(db: Database, siteId: string, limit: number, after?: LeaderboardCursor): Promise<VisitorRow[]> {
  const page = after
    ? or(lt(visitors.score, after.score), and(eq(visitors.score, after.score), gt(visitors.id, after.id)))
    : undefined;
  return db
    .select()
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), isNull(visitors.leadId), page))
    .orderBy(desc(visitors.score), asc(visitors.id))
    .limit(limit);
}

/** One visitor, or undefined. */
export function findVisitor(db: Database, siteId: string, id: string): Promise<VisitorRow | undefined> {
  return db.select().from(visitors).where(and(eq(visitors.siteId, siteId), eq(visitors.id, id))).get();
}

/** Visitors at or above a score, best first: the prospects under a threshold. */
export function visitorsFrom(db: Database, siteId: string, minScore: number): Promise<VisitorRow[]> {
  return db
    .select()
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), isNull(visitors.leadId), gte(visitors.score, minScore)))
    .orderBy(desc(visitors.score), asc(visitors.id));
}

/** Every lead of a site (for evaluations that cannot use the score index). */
export function allVisitors(db: Database, siteId: string): Promise<VisitorRow[]> {
  return db.select().from(visitors).where(and(eq(visitors.siteId, siteId), isNull(visitors.leadId)));
}

/** The id of the site's lead identified with this email, or undefined. */
export async function visitorIdByEmail(db: Database, siteId: string, email: string): Promise<string | undefined> {
  const row = await db
    .select({ id: visitors.id })
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), eq(visitors.email, email.toLowerCase()), isNull(visitors.leadId)))
    .orderBy(asc(visitors.firstSeen), asc(visitors.id))
    .limit(1)
    .get();
  return row?.id;
}

/** A lead as an outcome upload needs it: the row that holds its score, and its latest outcome. */
export interface LeadOutcome {
  leadId: string;
  outcome: string | null;
}

// D1 binds at most 100 parameters per statement; lookups take ids in slices below that.
const IDS_PER_QUERY = 90;

function slices<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += IDS_PER_QUERY) out.push(items.slice(i, i + IDS_PER_QUERY));
  return out;
}

/** For each known visitor id, its lead (itself unless merged) and that lead's latest outcome. */
export async function leadOutcomesByVisitor(db: Database, siteId: string, ids: string[]): Promise<Map<string, LeadOutcome>> {
  const pick = { id: visitors.id, leadId: visitors.leadId, outcome: visitors.outcome };
  const read = async (list: string[]) =>
    (await Promise.all(slices([...new Set(list)]).map((s) => db.select(pick).from(visitors).where(and(eq(visitors.siteId, siteId), inArray(visitors.id, s)))))).flat();
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
      slices([...new Set(emails)]).map((s) =>
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

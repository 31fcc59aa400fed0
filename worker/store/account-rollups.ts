import { and, asc, desc, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { accountRollupRows, accountRollups, visitors } from "../../schema";
import type { AccountScore } from "../scoring/accounts";
import type { Database } from "./db";
import { statement } from "./raw";
import { chunks } from "../lib/chunks";

/** Where a walk over the account index got to: the last lead read, in (account, id) order. */
export interface AccountLeadCursor {
  account: string;
  id: string;
}

/**
 * Leads that belong to an account, in (account, id) order after `after`: the partial account index, so
 * anonymous visitors and merged aliases cost nothing.
 */
export function accountLeads(db: Database, siteId: string, limit: number, after?: AccountLeadCursor) {
  return db
    .select({ id: visitors.id, account: visitors.account, state: visitors.state, rulesVersion: visitors.rulesVersion })
    .from(visitors)
    .where(
      and(
        eq(visitors.siteId, siteId),
        isNotNull(visitors.account),
        isNull(visitors.leadId),
        after ? sql`(${visitors.account}, ${visitors.id}) > (${after.account}, ${after.id})` : undefined,
      ),
    )
    .orderBy(asc(visitors.account), asc(visitors.id))
    .limit(limit);
}

/** The statement that adds a chunk of complete accounts to a roll-up being stored (one JSON parameter). */
export function insertRollupRows(db: Database, siteId: string, date: string, accounts: AccountScore[]): D1PreparedStatement {
  return statement(
    db,
    `INSERT INTO account_rollup_rows (site_id, date, account, score, dimensions, leads, prospects, top_leads)
     SELECT ?1, ?2, json_extract(value, '$.account'), json_extract(value, '$.score'), json_extract(value, '$.dimensions'),
       json_extract(value, '$.leads'), json_extract(value, '$.prospects'), json_extract(value, '$.topLeads')
     -- The WHERE keeps SQLite from reading ON CONFLICT as part of the join.
     FROM json_each(?3) WHERE true
     ON CONFLICT DO NOTHING`,
    siteId,
    date,
    JSON.stringify(accounts),
  );
}

/**
 * The statements that mark a roll-up complete as of `at` (from then on the API and console read it) and drop
 * the headers of older ones, whose rows the prune phase then deletes a chunk at a time.
 */
export function finishRollup(db: Database, siteId: string, date: string, at: number, accounts: number): D1PreparedStatement[] {
  return [
    statement(db, "INSERT INTO account_rollups (site_id, date, created_at, accounts) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING", siteId, date, at, accounts),
    statement(db, "DELETE FROM account_rollups WHERE site_id = ?1 AND date < ?2", siteId, date),
  ];
}

/** The statement that deletes up to `limit` rows of roll-ups older than `date` (meta.changes says how many). */
export function pruneRollupRows(db: Database, siteId: string, date: string, limit: number): D1PreparedStatement {
  return statement(
    db,
    `DELETE FROM account_rollup_rows WHERE site_id = ?1 AND (date, account) IN (
       SELECT date, account FROM account_rollup_rows WHERE site_id = ?1 AND date < ?2 LIMIT ?3)`,
    siteId,
    date,
    limit,
  );
}

/** The site's newest complete roll-up (its header), or undefined before the first daily run stored one. */
export function latestRollup(db: Database, siteId: string) {
  return db.select().from(accountRollups).where(eq(accountRollups.siteId, siteId)).orderBy(desc(accountRollups.date)).limit(1).get();
}

/** Where a page of a stored roll-up starts: after this account in score order. */
export interface RollupCursor {
  score: number;
  account: string;
}

/** A page of a stored roll-up's accounts, best score first (ties by account name), off its score index. */
export function rollupPage(db: Database, siteId: string, date: string, limit: number, after?: RollupCursor) {
  const t = accountRollupRows;
  const page = after ? sql`(${t.score} < ${after.score} OR (${t.score} = ${after.score} AND ${t.account} > ${after.account}))` : undefined;
  return db
    .select()
    .from(t)
    .where(and(eq(t.siteId, siteId), eq(t.date, date), page))
    .orderBy(desc(t.score), asc(t.account))
    .limit(limit);
}

// D1 binds at most 100 parameters per statement.
const IDS_PER_QUERY = 90;

/**
 * The emails (claimed or verified) of some leads as they stand now, by key: a page's best leads are shown
 * with their current email, and a lead erased since the roll-up is simply absent.
 */
export async function leadEmails(db: Database, siteId: string, ids: readonly string[]): Promise<Map<string, string | null>> {
  const queries = chunks(ids, IDS_PER_QUERY).map((chunk) =>
    db.select({ id: visitors.id, state: visitors.state }).from(visitors).where(and(eq(visitors.siteId, siteId), inArray(visitors.id, chunk))),
  );
  const [first, ...rest] = queries;
  const results = first ? await db.batch([first, ...rest]) : [];
  return new Map(results.flat().map((r) => [r.id, r.state.email]));
}

/** A page of the site's newest stored roll-up, its best leads with their current emails. */
export interface AccountsPage {
  /** The roll-up read (null before the first daily run stored one). */
  rollup: { date: string; asOf: number; total: number } | null;
  accounts: { account: string; score: number; dimensions: Record<string, number>; leads: number; prospects: number; topLeads: { visitorId: string; email: string | null; score: number }[] }[];
  /** Where the next page starts, or null after the last. */
  next: (RollupCursor & { date: string }) | null;
}

/**
 * Reads one page of stored accounts: the roll-up's header, `limit` rows off the score index, and the emails
 * of their best leads by key (a lead erased since is left out). `after` continues a roll-up's pages.
 */
export async function accountsPage(db: Database, siteId: string, limit: number, after?: RollupCursor & { date: string }): Promise<AccountsPage> {
  const header = after
    ? await db.select().from(accountRollups).where(and(eq(accountRollups.siteId, siteId), eq(accountRollups.date, after.date))).get()
    : await latestRollup(db, siteId);
  if (!header) return { rollup: null, accounts: [], next: null };
  const rows = await rollupPage(db, siteId, header.date, limit, after);
  const emails = await leadEmails(db, siteId, rows.flatMap((r) => r.topLeads.map((l) => l.visitorId)));
  const accounts = rows.map((r) => ({
    account: r.account,
    score: r.score,
    dimensions: r.dimensions,
    leads: r.leads,
    prospects: r.prospects,
    topLeads: r.topLeads.filter((l) => emails.has(l.visitorId)).map((l) => ({ visitorId: l.visitorId, email: emails.get(l.visitorId) ?? null, score: l.score })),
  }));
  const last = rows[rows.length - 1];
  return {
    rollup: { date: header.date, asOf: header.createdAt, total: header.accounts },
    accounts,
    next: rows.length === limit && last ? { date: header.date, score: last.score, account: last.account } : null,
  };
}

import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One of an account's best leads as the roll-up stored it (the email is read from the lead when shown). */
export interface StoredTopLead {
  visitorId: string;
  score: number;
}

/**
 * A site's account roll-up for a local date, written by the daily run once every account's row is in
 * account_rollup_rows: from then on it is the roll-up the API and console read.
 */
export const accountRollups = sqliteTable(
  "account_rollups",
  {
    siteId: text("site_id").notNull(),
    date: text("date").notNull(),
    /** The time the roll-up is as of (the daily run's time, ms). */
    createdAt: integer("created_at").notNull(),
    /** How many accounts it holds. */
    accounts: integer("accounts").notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.date] })],
);

/** One account of a stored roll-up: read a page at a time off the score index, never as one blob. */
export const accountRollupRows = sqliteTable(
  "account_rollup_rows",
  {
    siteId: text("site_id").notNull(),
    date: text("date").notNull(),
    account: text("account").notNull(),
    score: real("score").notNull(),
    dimensions: text("dimensions", { mode: "json" }).$type<Record<string, number>>().notNull(),
    leads: integer("leads").notNull(),
    prospects: integer("prospects").notNull(),
    topLeads: text("top_leads", { mode: "json" }).$type<StoredTopLead[]>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.date, t.account] }),
    index("account_rollup_rows_by_score").on(t.siteId, t.date, sql`${t.score} desc`, t.account),
  ],
);

export type AccountRollupRow = typeof accountRollupRows.$inferSelect;

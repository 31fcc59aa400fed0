import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { Reason } from "../worker/scoring/prospects";

/**
 * The lines of a stored prospect list, one row each: a list is written in chunks and read a page at a time
 * in rank order (score, then who crossed first, then id) off the rank index, never as one blob.
 */
export const prospectListRows = sqliteTable(
  "prospect_list_rows",
  {
    siteId: text("site_id").notNull(),
    date: text("date").notNull(),
    visitorId: text("visitor_id").notNull(),
    score: real("score").notNull(),
    since: integer("since").notNull(),
    email: text("email"),
    /** Whether the email was verified (a signed identify or the API) when the list was stored. */
    emailVerified: integer("email_verified", { mode: "boolean" }).notNull().default(false),
    class: text("class"),
    grade: text("grade"),
    isNew: integer("is_new", { mode: "boolean" }).notNull(),
    reasons: text("reasons", { mode: "json" }).$type<Reason[]>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.date, t.visitorId] }),
    index("prospect_list_rows_by_rank").on(t.siteId, t.date, sql`${t.score} desc`, t.since, t.visitorId),
  ],
);

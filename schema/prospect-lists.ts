import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { ProspectRow } from "../worker/scoring/prospects";

/**
 * The daily prospect list as it was handed to sales: stored once per site and local date. The row is
 * written last, once every line is in prospect_list_rows (`paged`); lists stored before that carry their
 * lines in `rows`.
 */
export const prospectLists = sqliteTable(
  "prospect_lists",
  {
    siteId: text("site_id").notNull(),
    date: text("date").notNull(),
    rows: text("rows", { mode: "json" }).$type<ProspectRow[]>().notNull(),
    createdAt: integer("created_at").notNull(),
    /** The lines are in prospect_list_rows (and `rows` is empty). */
    paged: integer("paged", { mode: "boolean" }).notNull().default(false),
    /** How many lines the list has: counted when it is stored, kept by erasures; null for lists stored before the count was kept. */
    lines: integer("lines"),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.date] })],
);

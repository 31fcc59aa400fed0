import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { ProspectRow } from "../worker/scoring/prospects";

/** The daily prospect list as it was handed to sales: stored once per site and local date. */
export const prospectLists = sqliteTable(
  "prospect_lists",
  {
    siteId: text("site_id").notNull(),
    date: text("date").notNull(),
    rows: text("rows", { mode: "json" }).$type<ProspectRow[]>().notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.date] })],
);

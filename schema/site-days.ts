import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** What the console's overview charts for one local day, written by the daily run with the day's list. */
export interface SiteDayFigures {
  /** Events scored into leads so far (the sum over leads): the difference between two days is that day's events. */
  eventsTotal: number;
  leads: number;
  prospects: number;
  /** Prospects on that day's list who were not on the previous one. */
  newProspects: number;
  /** Leads per class by their stored score ("" for below every class). */
  classes: Record<string, number>;
  /** The rules among the day's new prospects' top reasons: how many of them each named and the points. */
  topRules: { rule: string; label: string; leads: number; points: number }[];
}

/** One row per site and local day, so the overview reads at most 31 small rows, never the events. */
export const siteDays = sqliteTable(
  "site_days",
  {
    siteId: text("site_id").notNull(),
    /** Local date, YYYY-MM-DD in the site's timezone. */
    day: text("day").notNull(),
    figures: text("figures", { mode: "json" }).$type<SiteDayFigures>().notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.day] })],
);

export type SiteDayRow = typeof siteDays.$inferSelect;

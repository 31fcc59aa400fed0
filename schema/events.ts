import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Raw events, keyed so that the client's event id deduplicates and a visitor's history is one key range.
 * The table is WITHOUT ROWID (see the migration), so the key is the table and an insert writes one row.
 */
export const events = sqliteTable(
  "events",
  {
    siteId: text("site_id").notNull(),
    visitorId: text("visitor_id").notNull(),
    id: text("id").notNull(),
    /**
     * The order scoring uses: the collector's receipt time in microseconds, raised where needed to stay
     * above every number the lead already gave out, so a lead's events (from all its visitor ids) sort
     * in the order they were accepted.
     */
    seq: integer("seq").notNull(),
    /** Event time after clock-skew correction (ms). (The receipt time is seq's millisecond part.) */
    ts: integer("ts").notNull(),
    type: text("type").notNull(),
    path: text("path"),
    /** The properties the sender sent (see store/events.ts for the ones the collector adds). */
    props: text("props", { mode: "json" }).$type<Record<string, unknown>>(),
    /** The country the edge located the beacon in (ISO 3166 alpha-2), kept apart from props to stay narrow. */
    country: text("country"),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.visitorId, t.id] })],
);

export type EventRow = typeof events.$inferSelect;

import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Tombstones of erased visitors: a hash of the visitor id, never the id itself, so the collector can
 * refuse to track the id again without keeping it. WITHOUT ROWID (see the migration): the beacon path
 * looks it up by key on every write.
 */
export const erasedVisitors = sqliteTable(
  "erased_visitors",
  {
    siteId: text("site_id").notNull(),
    /** Hex SHA-256 of the visitor id. */
    visitorHash: text("visitor_hash").notNull(),
    erasedAt: integer("erased_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.visitorHash] })],
);

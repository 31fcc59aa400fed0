import { sql, type SQL } from "drizzle-orm";

/**
 * Ids as a subquery over one bound JSON parameter, for `x IN ...`: a list of any length binds one
 * parameter (D1 allows 100 per statement), and against a key each id is one lookup.
 */
export function jsonIdList(ids: readonly string[]): SQL {
  return sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`;
}

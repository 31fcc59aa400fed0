import { eq, sql, type SQL } from "drizzle-orm";
import { sites } from "../../schema";
import type { Database } from "./db";

/** Raised when another write moved what a batch was computed from; read again and retry. */
export class StaleWrite extends Error {}

// A failing statement aborts a D1 batch and rolls all of it back. SQLite has no RAISE outside triggers,
// so the guard asks json() to parse something that is not JSON; that error text marks a stale read.
const STALE_MARK = "malformed JSON";

/**
 * A batch statement that aborts the batch when `stale` is true. It is written as a select on the site's
 * row because drizzle's D1 batch cannot bind parameters of a raw statement.
 */
export function abortIf(db: Database, siteId: string, stale: SQL) {
  return db
    .select({ stale: sql`CASE WHEN ${stale} THEN json('stale') END` })
    .from(sites)
    .where(eq(sites.id, siteId));
}

/**
 * True when the site's visitors matching `which` (all of them without it) are no longer `count` rows whose
 * versions add up to `versionSum`. Versions only grow, so any write, insert or delete among them since
 * they were read shows; and the condition binds a fixed number of parameters however many rows it covers.
 */
export function visitorsMoved(siteId: string, count: number, versionSum: number, which?: SQL): SQL {
  const among = which ? sql`site_id = ${siteId} AND (${which})` : sql`site_id = ${siteId}`;
  return sql`(SELECT count(*) FROM visitors WHERE ${among}) IS NOT ${count}
    OR (SELECT coalesce(sum(version), 0) FROM visitors WHERE ${among}) IS NOT ${versionSum}`;
}

/** Runs a guarded batch and answers its results; a tripped guard or a racing duplicate key becomes StaleWrite. */
export async function runGuarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const e = err as Error & { cause?: Error };
    const message = `${e?.message ?? err} ${e?.cause?.message ?? ""}`;
    if (message.includes(STALE_MARK) || message.includes("UNIQUE constraint failed")) throw new StaleWrite(message);
    throw err;
  }
}

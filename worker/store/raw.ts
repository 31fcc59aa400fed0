import type { Database } from "./db";
import { runGuarded } from "./guard";

/** Anything drizzle can render to SQL text and parameters. */
export interface Renderable {
  toSQL(): { sql: string; params: unknown[] };
}

/** A drizzle query as a D1 prepared statement, so it can share one D1 batch with hand-written statements. */
export function prepared(db: Database, query: Renderable): D1PreparedStatement {
  const { sql, params } = query.toSQL();
  return db.$client.prepare(sql).bind(...params);
}

/** A hand-written statement with its parameters (ids and rows travel as one JSON parameter, see json_each). */
export function statement(db: Database, text: string, ...params: unknown[]): D1PreparedStatement {
  return db.$client.prepare(text).bind(...params);
}

/**
 * Runs statements as one atomic D1 batch. drizzle's batch cannot bind the parameters of hand-written
 * statements, so bulk writes (one UPDATE ... FROM json_each for a whole chunk) go through D1 directly.
 * A tripped guard becomes StaleWrite, as with runGuarded.
 */
export async function runBatch(db: Database, statements: D1PreparedStatement[]): Promise<D1Result[]> {
  let results: D1Result[] = [];
  await runGuarded(async () => {
    results = await db.$client.batch(statements);
  });
  return results;
}

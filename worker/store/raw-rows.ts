import { getTableColumns, type InferSelectModel, type Table } from "drizzle-orm";
import type { Database } from "./db";

const columnLists = new WeakMap<Table, [string, { name: string; mapFromDriverValue(v: unknown): unknown }][]>();

/**
 * A row as D1 returns it for `SELECT *` (snake_case, JSON as text), mapped the way drizzle maps it. The
 * write path reads with prepared statements instead of drizzle's builder (building a query costs more CPU
 * than scoring the beacon), and still hands the rest of the code the same row types.
 */
export function rowOf<T extends Table>(table: T, raw: Record<string, unknown>): InferSelectModel<T> {
  let columns = columnLists.get(table);
  if (!columns) {
    columns = Object.entries(getTableColumns(table));
    columnLists.set(table, columns);
  }
  const out: Record<string, unknown> = {};
  for (const [key, column] of columns) {
    const value = raw[column.name];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as InferSelectModel<T>;
}

const statements = new WeakMap<D1Database, Map<string, D1PreparedStatement>>();

/** A prepared statement for this SQL on this database, prepared once per isolate and bound per use. */
export function prepared(db: Database, query: string): D1PreparedStatement {
  const d1 = db.$client;
  let cache = statements.get(d1);
  if (!cache) {
    cache = new Map();
    statements.set(d1, cache);
  }
  let statement = cache.get(query);
  if (!statement) {
    statement = d1.prepare(query);
    cache.set(query, statement);
  }
  return statement;
}

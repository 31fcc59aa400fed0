/** Rows read and written, as D1 reports them in each result's meta. */
export interface RowMeter {
  read: number;
  written: number;
  statements: number;
  /** Statements run outside a batch through first() or raw(), whose results carry no row counts. */
  unmetered?: number;
}

function tally(meter: RowMeter, results: D1Result[]): void {
  for (const r of results) {
    meter.read += r.meta.rows_read ?? 0;
    meter.written += r.meta.rows_written ?? 0;
    meter.statements += 1;
  }
}

/** A prepared statement that reports what it runs to the meter. */
function meteredStatement(statement: D1PreparedStatement, meter: RowMeter): D1PreparedStatement {
  return new Proxy(statement, {
    get(target, key) {
      if (key === "bind") return (...values: unknown[]) => meteredStatement(target.bind(...values), meter);
      if (key === "run" || key === "all") {
        return async () => {
          const result = await target[key]();
          tally(meter, [result]);
          return result;
        };
      }
      if (key === "first" || key === "raw") meter.unmetered = (meter.unmetered ?? 0) + 1;
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * A D1 database that adds up the rows every batch and statement reads and writes. The collector's write
 * path runs only batches, so this sees all of its work.
 */
export function meteredD1(db: D1Database, meter: RowMeter): D1Database {
  return new Proxy(db, {
    get(target, key) {
      if (key === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          const results = await target.batch(statements);
          tally(meter, results);
          return results;
        };
      }
      if (key === "prepare") return (query: string) => meteredStatement(target.prepare(query), meter);
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

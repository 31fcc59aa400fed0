/** Rows read and written, as D1 reports them in each result's meta. */
export interface RowMeter {
  read: number;
  written: number;
  statements: number;
}

function tally(meter: RowMeter, results: D1Result[]): void {
  for (const r of results) {
    meter.read += r.meta.rows_read ?? 0;
    meter.written += r.meta.rows_written ?? 0;
    meter.statements += 1;
  }
}

/**
 * A D1 database that adds up the rows every batch reads and writes. The collector's write path runs
 * only batches, so this sees all of its work.
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
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

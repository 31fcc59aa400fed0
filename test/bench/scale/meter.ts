// A D1 binding that accounts for everything an operation asks of D1, as Workers and D1 limit it: round
// trips (calls), statements (queries), bound parameters per statement, rows read and written (D1's own
// meta) and the largest row that crossed the binding either way.

/** What one invocation asked of D1. */
export interface D1Tally {
  /** Round trips: each run/all/first/raw/batch/exec. */
  calls: number;
  /** Statements, counting each statement of a batch: D1's "queries per invocation". */
  queries: number;
  rowsRead: number;
  rowsWritten: number;
  /** Most parameters bound to one statement. */
  maxParams: number;
  /** Largest row returned, or largest statement's bound values (an upper bound of a row it writes), in bytes. */
  maxRowBytes: number;
}

/** An empty tally. */
export function emptyTally(): D1Tally {
  return { calls: 0, queries: 0, rowsRead: 0, rowsWritten: 0, maxParams: 0, maxRowBytes: 0 };
}

const encoder = new TextEncoder();

function valueBytes(v: unknown): number {
  if (typeof v === "string") return encoder.encode(v).length;
  if (v instanceof ArrayBuffer) return v.byteLength;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  return 8;
}

function rowBytes(row: unknown): number {
  const values = Array.isArray(row) ? row : Object.values(row as Record<string, unknown>);
  return values.reduce<number>((sum, v) => sum + valueBytes(v), 0);
}

/** Hooks the meter calls: after every D1 answer (the moment its results are all in memory). */
export interface MeterHooks {
  afterCall?: () => void;
}

type Bound = { statement: D1PreparedStatement; params: unknown[] };
// Every statement made through the metered binding, by the object handed to the caller, so batch() can
// find the original statement and its bound values.
const bound = new WeakMap<object, Bound>();

/**
 * Wraps a D1 binding so every call adds to `tally()`'s current value. raw() and first() are answered
 * from all(), which carries D1's row counts: raw rows are the values of each result row in column order.
 */
export function meteredD1(db: D1Database, tally: () => D1Tally, hooks: MeterHooks = {}): D1Database {
  // Calls, queries and parameters count before the call (a statement D1 refuses still counts); rows and
  // row sizes once it answers.
  const attempt = (params: unknown[][]) => {
    const t = tally();
    t.calls += 1;
    t.queries += params.length;
    for (const p of params) {
      t.maxParams = Math.max(t.maxParams, p.length);
      t.maxRowBytes = Math.max(t.maxRowBytes, rowBytes(p));
    }
  };
  const account = (results: D1Result[]) => {
    const t = tally();
    for (const r of results) {
      t.rowsRead += r.meta?.rows_read ?? 0;
      t.rowsWritten += r.meta?.rows_written ?? 0;
      for (const row of r.results ?? []) t.maxRowBytes = Math.max(t.maxRowBytes, rowBytes(row));
    }
    hooks.afterCall?.();
  };

  // LEADSCORE_BENCH_TRACE=1 prints every statement as it goes to D1.
  const trace = process.env.LEADSCORE_BENCH_TRACE ? (sql: string[]) => console.error(`D1 ${sql.map((q) => q.replace(/\s+/g, " ").slice(0, 160)).join(" ; ")}`) : () => {};
  const sqlOf = new WeakMap<D1PreparedStatement, string>();

  const wrap = (statement: D1PreparedStatement, params: unknown[]): D1PreparedStatement => {
    const all = async <T>() => {
      trace([sqlOf.get(statement) ?? "?"]);
      attempt([params]);
      const result = await statement.all<T>();
      account([result as D1Result]);
      return result;
    };
    const wrapped = {
      bind: (...values: unknown[]) => {
        const next = statement.bind(...values);
        sqlOf.set(next, sqlOf.get(statement) ?? "?");
        return wrap(next, values);
      },
      all,
      run: all,
      first: async (column?: string) => {
        const row = (await all<Record<string, unknown>>()).results[0];
        if (row === undefined) return null;
        return column === undefined ? row : (row[column] ?? null);
      },
      raw: async (options?: { columnNames?: boolean }) => {
        const rows = (await all<Record<string, unknown>>()).results;
        const values = rows.map((r) => Object.values(r));
        return options?.columnNames ? [rows[0] ? Object.keys(rows[0]) : [], ...values] : values;
      },
    } as unknown as D1PreparedStatement;
    bound.set(wrapped, { statement, params });
    return wrapped;
  };

  return {
    prepare: (query: string) => {
      const statement = db.prepare(query);
      sqlOf.set(statement, query);
      return wrap(statement, []);
    },
    batch: async (statements: D1PreparedStatement[]) => {
      const inner = statements.map((s) => bound.get(s) ?? { statement: s, params: [] });
      trace(inner.map((b) => sqlOf.get(b.statement) ?? "?"));
      attempt(inner.map((b) => b.params));
      const results = await db.batch(inner.map((b) => b.statement));
      account(results);
      return results;
    },
    exec: async (query: string) => {
      const result = await db.exec(query);
      const t = tally();
      t.calls += 1;
      t.queries += result.count;
      hooks.afterCall?.();
      return result;
    },
    dump: () => db.dump(),
    withSession: () => {
      throw new Error("the bench does not meter D1 sessions");
    },
  } as unknown as D1Database;
}

/**
 * A D1 database whose `failOn`-th batch (1-based) fails like a lost connection: before D1 runs it
 * ("before") or after D1 committed it, so the caller never hears back ("after").
 */
export function failingD1(db: D1Database, failOn: number, when: "before" | "after"): D1Database {
  let batches = 0;
  return new Proxy(db, {
    get(target, key) {
      if (key === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          batches += 1;
          if (batches === failOn && when === "before") throw new Error("D1_ERROR: Network connection lost.");
          const results = await target.batch(statements);
          if (batches === failOn) throw new Error("D1_ERROR: Network connection lost.");
          return results;
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

// Where Miniflare keeps a persisted D1 database: a SQLite file, named by a hash of the database id, in
// the D1 plugin's Durable Object storage under the persistence directory.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

/** The D1 database id the bench binds as DB. */
export const BENCH_DATABASE_ID = "leadscore-bench";

/**
 * A Miniflare instance whose one worker binds the bench database as DB, persisted under `persistDir`,
 * listening on 127.0.0.1:`port`.
 */
export function benchMiniflare(persistDir: string, port: number): Miniflare {
  return new Miniflare(
    convertV4MiniflareOptions({
      compatibilityDate: "2026-10-01",
      host: "127.0.0.1",
      port,
      resourcePersistencePath: persistDir,
      modules: true,
      script: "export default {}",
      d1Databases: { DB: BENCH_DATABASE_ID },
    }),
  );
}

/** Creates the database (empty) under `persistDir` and answers the path of its SQLite file. */
export async function createD1File(persistDir: string, port: number): Promise<string> {
  const mf = benchMiniflare(persistDir, port);
  try {
    const db = await mf.getD1Database("DB");
    await db.prepare("SELECT 1").run();
  } finally {
    await mf.dispose();
  }
  return d1File(persistDir);
}

/** The SQLite file of the bench database under `persistDir`. */
export function d1File(persistDir: string): string {
  const dir = join(persistDir, "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 database file under ${dir}`);
  return join(dir, file);
}

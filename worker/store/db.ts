import { drizzle } from "drizzle-orm/d1";
import * as schema from "../../schema";

/** The drizzle handle every query function takes. */
export function database(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Database = ReturnType<typeof database>;

const handles = new WeakMap<D1Database, Database>();

/** One drizzle handle per D1 binding and isolate, instead of one per request. */
function handleOf(d1: D1Database): Database {
  let db = handles.get(d1);
  if (!db) {
    db = database(d1);
    handles.set(d1, db);
  }
  return db;
}

/**
 * The database that holds a site's data (its rules, leads, events and lists). Every site lives in `DB`
 * today. Past one database's size or write rate (see README, Capacity), sites are spread over several D1
 * bindings (or per-site Durable Objects with SQLite storage) by changing this function alone: every route
 * with a site reaches its data through it, and no query joins two sites.
 */
export function databaseFor(env: Pick<Env, "DB">, _siteId: string): Database {
  return handleOf(env.DB);
}

/** The database of what is not per site: API tokens, and the directory of sites. */
export function controlDatabase(env: Pick<Env, "DB">): Database {
  return handleOf(env.DB);
}

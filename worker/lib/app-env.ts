import type { Database } from "../store/db";

/** Hono's environment for every route: the Worker bindings and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: { db: Database };
}

import type { TokenScope } from "../../schema";
import type { Database } from "../store/db";

/** Who made an API request: the token's scope and id (null for the bootstrap API_TOKEN secret). */
export interface Caller {
  scope: TokenScope;
  tokenId: string | null;
}

/** Hono's environment for every route: the Worker bindings and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: { db: Database; caller: Caller };
}

declare global {
  interface Env {
    /** "1" under local development only (npm start, the tests): webhooks may go to http://localhost. */
    ALLOW_LOCAL_WEBHOOKS?: string;
  }
}

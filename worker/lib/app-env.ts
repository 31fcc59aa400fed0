import type { TokenScope } from "../../schema";
import type { Database } from "../store/db";

/** Who made an API request: the token's scope and id (null for the bootstrap API_TOKEN secret). */
export interface Caller {
  scope: TokenScope;
  tokenId: string | null;
  /** The sites the token is limited to, or null for every site. */
  sites: string[] | null;
}

/** True when the caller may reach this site. */
export function reaches(caller: Caller | undefined, siteId: string): boolean {
  return !caller?.sites || caller.sites.includes(siteId);
}

/** Hono's environment for every route: the Worker bindings and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Env;
  Variables: { db: Database; caller: Caller };
}

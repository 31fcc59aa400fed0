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

/** Variables set outside wrangler.toml, so `wrangler types` does not list them. */
interface LocalVars {
  /** "1" under local development only (npm start, the end-to-end tests): webhooks may go to http://localhost. */
  ALLOW_LOCAL_WEBHOOKS?: string;
}

declare global {
  namespace Cloudflare {
    interface Env extends LocalVars {}
  }
  interface Env extends LocalVars {}
}

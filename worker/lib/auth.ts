import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { Context, MiddlewareHandler } from "hono";
import type { TokenScope } from "../../schema";
import { findLiveToken } from "../store/tokens";
import { reaches, type AppEnv, type Caller } from "./app-env";
import { ApiError } from "./errors";

import { sha256, sha256Hex } from "./hash";

/** Compares two secrets in constant time (hashing first makes the lengths equal). */
export async function sameSecret(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([sha256(a), sha256(b)]);
  return crypto.subtle.timingSafeEqual(x, y);
}

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="leadscore"' };

// Which scope each route-level requireScope middleware asks for. The /api middleware looks the matched
// route's middleware up here, so a route that declares nothing is admin-only (deny by default).
const declared = new WeakMap<MiddlewareHandler, TokenScope>();

function allows(caller: Caller, scope: TokenScope): boolean {
  return caller.scope === "admin" || caller.scope === scope;
}

async function resolveCaller(c: Context<AppEnv>): Promise<Caller> {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
  if (!match) throw new ApiError("unauthorized", "missing bearer token", CHALLENGE);
  const secret = match[1] as string;
  // The API_TOKEN secret is the bootstrap admin token: it creates the others.
  if (c.env.API_TOKEN && (await sameSecret(secret, c.env.API_TOKEN))) return { scope: "admin", tokenId: null, sites: null };
  const token = await findLiveToken(c.var.db, await sha256Hex(secret));
  if (!token) throw new ApiError("unauthorized", "invalid or revoked bearer token", CHALLENGE);
  return { scope: token.scope, tokenId: token.id, sites: token.sites };
}

/** The site id an /api path names (`/api/sites/:site/...`), "" for the site list, or null for other paths. */
function siteOfPath(path: string): string | null {
  const match = /^\/api\/sites(?:\/([^/]*))?/.exec(path);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1] ?? "");
  } catch {
    return "\u0000";
  }
}

/**
 * A token limited to some sites reaches only their paths and the site list (which it sees filtered);
 * everything else (tokens, creating sites) is for tokens that reach every site.
 */
function checkSites(c: Context<AppEnv>, caller: Caller): void {
  if (!caller.sites) return;
  const site = siteOfPath(c.req.path);
  const listing = site === "" && c.req.method === "GET";
  if (listing || (site && reaches(caller, site))) return;
  throw new ApiError("forbidden", site ? `this token may not reach site "${site}"` : `a token limited to some sites may not ${c.req.method} ${c.req.path}`);
}

/**
 * Authenticates every /api request (401 for a missing, unknown or revoked token) and checks the scope the
 * matched route declares with requireScope (403 for a valid token without it). Routes that declare no
 * scope take an admin token.
 */
export const authenticate = createMiddleware<AppEnv>(async function authenticate(c, next) {
  const caller = await resolveCaller(c);
  c.set("caller", caller);
  checkSites(c, caller);
  if (caller.scope !== "admin") {
    const scopes = matchedRoutes(c).flatMap((r) => declared.get(r.handler) ?? []);
    if (scopes.length === 0 || !scopes.every((s) => allows(caller, s))) {
      throw new ApiError("forbidden", `a ${caller.scope} token may not ${c.req.method} ${c.req.path}`);
    }
  }
  await next();
});

/**
 * Declares the scope a route needs (an admin token always passes). Put it first in the route's handlers:
 * `.get("/", requireScope("read"), handler)`.
 */
export function requireScope(scope: TokenScope): MiddlewareHandler<AppEnv> {
  const middleware = createMiddleware<AppEnv>(async function requireScope(c, next) {
    const caller = c.get("caller");
    if (!caller) throw new ApiError("unauthorized", "missing bearer token", CHALLENGE);
    if (!allows(caller, scope)) throw new ApiError("forbidden", `this route needs a ${scope} token, not ${caller.scope}`);
    await next();
  });
  declared.set(middleware as MiddlewareHandler, scope);
  return middleware;
}

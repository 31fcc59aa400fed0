import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { Context } from "hono";
import type { ConsoleSessionRow } from "../../schema";
import { deleteSession, findSession, insertSession } from "../store/console-sessions";
import { findLiveToken } from "../store/tokens";
import type { AppEnv, Caller } from "./app-env";
import { sameSecret } from "./auth";
import { ApiError } from "./errors";
import { sha256Hex } from "./hash";

/** The console's cookie: HttpOnly, Secure, SameSite=Strict, only sent to /app. */
export const SESSION_COOKIE = "leadscore_session";
/** How long a console sign-in lasts. */
export const SESSION_MS = 12 * 3_600_000;

/** The signed-in console user: who they are to the API and the value their forms must carry. */
export interface ConsoleSession {
  idHash: string;
  csrf: string;
}

/** Hono's environment for console routes: the API's, plus the session. */
export interface ConsoleEnv {
  Bindings: AppEnv["Bindings"] & { /** The site whose data `npm start` made up, shown with a banner. */ DEMO_SITE?: string };
  Variables: AppEnv["Variables"] & { session: ConsoleSession };
}

function randomText(bytes: number): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

/**
 * Who a token hash is now: the bootstrap API_TOKEN (admin), a live token (its scope), or nobody. Checked on
 * every console request, so revoking a token (or changing API_TOKEN) ends its sessions at once.
 */
async function callerFor(c: Context<ConsoleEnv>, tokenHash: string): Promise<Caller | undefined> {
  if (c.env.API_TOKEN && (await sameSecret(tokenHash, await sha256Hex(c.env.API_TOKEN)))) return { scope: "admin", tokenId: null, sites: null };
  const token = await findLiveToken(c.var.db, tokenHash);
  return token ? { scope: token.scope, tokenId: token.id, sites: token.sites } : undefined;
}

/**
 * Signs in with an API token secret: a new session row (its id hashed) and the cookie. Ingest tokens
 * cannot read, so they cannot sign in. Answers null for a secret that is no live token.
 */
export async function signIn(c: Context<ConsoleEnv>, secret: string): Promise<Caller | null> {
  const tokenHash = await sha256Hex(secret);
  const caller = await callerFor(c, tokenHash);
  if (!caller || caller.scope === "ingest") return null;
  const id = randomText(32);
  const now = Date.now();
  const row: ConsoleSessionRow = { idHash: await sha256Hex(id), tokenHash, scope: caller.scope, csrf: randomText(24), createdAt: now, expiresAt: now + SESSION_MS };
  await insertSession(c.var.db, row);
  setCookie(c, SESSION_COOKIE, id, { path: "/app", httpOnly: true, secure: true, sameSite: "Strict", maxAge: SESSION_MS / 1000 });
  return caller;
}

/** Ends the session: its row and the cookie. */
export async function signOut(c: Context<ConsoleEnv>): Promise<void> {
  const id = getCookie(c, SESSION_COOKIE);
  if (id) await deleteSession(c.var.db, await sha256Hex(id));
  deleteCookie(c, SESSION_COOKIE, { path: "/app", secure: true, httpOnly: true, sameSite: "Strict" });
}

/**
 * Loads the session for every console page: a visitor without a live one is sent to the sign-in page
 * (with where they were going). Sets `caller` the way the API's authentication does.
 */
export const consoleSession = createMiddleware<ConsoleEnv>(async function consoleSession(c, next) {
  const id = getCookie(c, SESSION_COOKIE);
  const row = id ? await findSession(c.var.db, await sha256Hex(id), Date.now()) : undefined;
  const caller = row ? await callerFor(c, row.tokenHash) : undefined;
  if (!row || !caller || caller.scope === "ingest") {
    if (c.req.method !== "GET") throw new ApiError("unauthorized", "your console session has ended; sign in again");
    const url = new URL(c.req.url);
    return c.redirect(`/app/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }
  c.set("caller", caller);
  c.set("session", { idHash: row.idHash, csrf: row.csrf });
  await next();
});

/** The Origin of a request must be this collector's own for any change (a second check besides the token). */
export function sameOrigin(c: Context): boolean {
  return c.req.header("origin") === new URL(c.req.url).origin;
}

/**
 * Guards every console change (any method but GET and HEAD): the request comes from the console's own
 * origin and its form carries the session's anti-CSRF value. 403 otherwise, before the handler runs.
 */
export const csrfGuard = createMiddleware<ConsoleEnv>(async function csrfGuard(c, next) {
  if (c.req.method === "GET" || c.req.method === "HEAD") return next();
  if (!sameOrigin(c)) throw new ApiError("forbidden", "this change did not come from the console's own page (Origin check)");
  const form = await c.req.parseBody();
  const sent = typeof form._csrf === "string" ? form._csrf : "";
  if (!(await sameSecret(sent, c.var.session.csrf))) throw new ApiError("forbidden", "this form has expired; reload the page and try again");
  await next();
});

/** Changes need an admin token: a read token gets 403 even when it posts the form by hand. */
export const adminOnly = createMiddleware<ConsoleEnv>(async function adminOnly(c, next) {
  if (c.var.caller.scope !== "admin") throw new ApiError("forbidden", "a read token can look but not change; sign in with an admin token");
  await next();
});

import { Hono } from "hono";
import { SignInPage } from "../console/sign-in";
import { page } from "../lib/console-frame";
import { sameOrigin, signIn, signOut, consoleSession, csrfGuard, type ConsoleEnv } from "../lib/console-session";
import { ApiError } from "../lib/errors";

/** Where to go after signing in: a console path only (never another site). */
function safeNext(raw: unknown): string {
  if (typeof raw !== "string" || !raw.startsWith("/") || raw.startsWith("//") || raw.includes("\\")) return "/app";
  const url = new URL(raw, "https://console.invalid");
  const inConsole = url.origin === "https://console.invalid" && (url.pathname === "/app" || url.pathname.startsWith("/app/"));
  return inConsole ? url.pathname + url.search : "/app";
}

/** GET and POST /app/sign-in, POST /app/sign-out. */
export const consoleSignIn = new Hono<ConsoleEnv>()
  .get("/sign-in", (c) => page(c, SignInPage({ next: safeNext(c.req.query("next")), signedOut: c.req.query("out") === "1" })))
  .post("/sign-in", async (c) => {
    // No session yet, so no form token: the Origin check (and SameSite=Strict) keep other sites out.
    if (!sameOrigin(c)) throw new ApiError("forbidden", "sign in from the console's own page (Origin check)");
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const token = typeof form.token === "string" ? form.token.trim() : "";
    if (!token || token.length > 200 || !(await signIn(c, token))) {
      return page(c, SignInPage({ next, error: "That token is unknown, revoked, or may only send events. Use an admin or read token." }), 401);
    }
    return c.redirect(next, 303);
  })
  .post("/sign-out", consoleSession, csrfGuard, async (c) => {
    await signOut(c);
    return c.redirect("/app/sign-in?out=1", 303);
  });

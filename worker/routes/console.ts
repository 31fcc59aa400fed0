import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { ErrorPage } from "../console/sign-in";
import { sitePath } from "../console/frame";
import { page, visibleSites } from "../lib/console-frame";
import { consoleSession, csrfGuard, type ConsoleEnv } from "../lib/console-session";
import { ApiError } from "../lib/errors";
import { consoleAccounts } from "./console-accounts";
import { consoleLeads } from "./console-leads";
import { consoleOverview } from "./console-overview";
import { consoleProspects } from "./console-prospects";
import { consoleRules } from "./console-rules";
import { consoleSettings } from "./console-settings";
import { consoleSignIn } from "./console-sign-in";

// The console's pages load only their own stylesheet and script (served from /app/static/), post only to
// themselves and may not be framed. Charts read their data from attributes, so no inline script is needed.
const headers = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
  referrerPolicy: "same-origin",
  crossOriginResourcePolicy: "same-origin",
  crossOriginOpenerPolicy: "same-origin",
  xFrameOptions: "DENY",
  permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
});

/** The pages behind a console session. */
const signedIn = new Hono<ConsoleEnv>()
  .use(consoleSession)
  .use(csrfGuard)
  .get("/", async (c) => {
    const [first] = await visibleSites(c);
    if (!first) throw new ApiError("not_found", "there is no site yet: an admin creates one with POST /api/sites");
    return c.redirect(sitePath(first.id), 303);
  })
  .get("/go", (c) => c.redirect(sitePath(c.req.query("site") ?? ""), 303))
  .route("/", consoleOverview)
  .route("/", consoleLeads)
  .route("/", consoleProspects)
  .route("/", consoleAccounts)
  .route("/", consoleRules)
  .route("/", consoleSettings)
  // Sub-apps keep no notFound of their own, so the console's 404 page is its last route.
  .all("*", (c) => page(c, ErrorPage({ status: 404, message: `There is no console page at ${new URL(c.req.url).pathname}.` }), 404));

/** The marketer and sales console at /app: server-rendered pages over the same data as the API. */
export const consoleRoutes = new Hono<ConsoleEnv>()
  .use(headers)
  .use(async function noStore(c, next) {
    await next();
    // Pages show personal data: never cached, by the browser or anything between.
    c.header("Cache-Control", "no-store");
  })
  .route("/", consoleSignIn)
  .route("/", signedIn)
  .onError((err, c) => {
    if (err instanceof ApiError) return page(c, ErrorPage({ status: err.status, message: err.message }), err.status);
    console.error("console error", err);
    return page(c, ErrorPage({ status: 500, message: "Something went wrong on our side; it has been logged." }), 500);
  });

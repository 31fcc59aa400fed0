import { Hono } from "hono";
import type { AppEnv } from "./lib/app-env";
import { authenticate } from "./lib/auth";
import { apiBodyLimit } from "./lib/body-limit";
import { jsonBodies } from "./lib/json-body";
import { onError, onNotFound } from "./lib/errors";
import { controlDatabase, databaseFor } from "./store/db";
import { accountsRoutes } from "./routes/accounts";
import { collect } from "./routes/collect";
import { consoleRoutes } from "./routes/console";
import { erasureRoutes } from "./routes/erasure";
import { eventsRoutes } from "./routes/events";
import { health } from "./routes/health";
import { identitySecretRoutes } from "./routes/identity-secret";
import { insightsRoutes } from "./routes/insights";
import { openApiRoutes } from "./routes/openapi";
import { outcomesCsvRoutes } from "./routes/outcomes-csv";
import { prospectsRoutes } from "./routes/prospects";
import { rulesRoutes } from "./routes/rules";
import { sitesRoutes } from "./routes/sites";
import { tokensRoutes } from "./routes/tokens";
import { visitorsRoutes } from "./routes/visitors";
import { visitorEventsRoutes } from "./routes/visitor-events";
import { visitorHistoryRoutes } from "./routes/visitor-history";
import { consume } from "./jobs/consumer";
import type { JobMessage } from "./jobs/messages";
import { jobsRoutes } from "./routes/jobs";
import { webhookFailuresRoutes } from "./routes/webhook-failures";
import { startHourlyRun } from "./scheduled";

// Every route declares the token scope it takes with requireScope; one that declares none is admin-only.
const api = new Hono<AppEnv>()
  .use(authenticate)
  // A site's routes reach its data through databaseFor, the seam for spreading sites over databases.
  .use("/sites/:site/*", async function withSiteDatabase(c, next) {
    c.set("db", databaseFor(c.env, c.req.param("site")));
    await next();
  })
  .use(apiBodyLimit)
  .use(jsonBodies)
  .route("/tokens", tokensRoutes)
  .route("/sites", sitesRoutes)
  .route("/sites/:site/rules", rulesRoutes)
  .route("/sites/:site/visitors", visitorsRoutes)
  .route("/sites/:site/visitors", erasureRoutes)
  .route("/sites/:site/visitors", visitorHistoryRoutes)
  .route("/sites/:site/visitors", visitorEventsRoutes)
  .route("/sites/:site/prospects", prospectsRoutes)
  .route("/sites/:site/prospects/outcomes", outcomesCsvRoutes)
  .route("/sites/:site/events", eventsRoutes)
  .route("/sites/:site/accounts", accountsRoutes)
  .route("/sites/:site/insights", insightsRoutes)
  .route("/sites/:site/jobs", jobsRoutes)
  .route("/sites/:site/webhook-failures", webhookFailuresRoutes)
  .route("/sites/:site/identity-secret", identitySecretRoutes);

/** The collector: beacons at /e, the API under /api, the console under /app (the tracker and the console's script are static assets). */
export const app = new Hono<AppEnv>()
  .use(async function withDatabase(c, next) {
    c.set("db", controlDatabase(c.env));
    await next();
  })
  .route("/", health)
  .route("/", collect)
  // Public, so it comes before the API's authentication.
  .route("/api", openApiRoutes)
  .route("/api", api)
  .route("/app", consoleRoutes)
  .onError(onError)
  .notFound(onNotFound);

export default {
  fetch: app.fetch,
  async scheduled(controller, env) {
    await startHourlyRun(env.JOBS, controller.scheduledTime);
  },
  async queue(batch, env) {
    await consume(batch as MessageBatch<JobMessage>, env);
  },
} satisfies ExportedHandler<Env>;

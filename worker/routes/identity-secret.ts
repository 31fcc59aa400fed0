import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { siteFromPath } from "../lib/site-param";
import { newIdentitySecret } from "../ingest/verify-identity";
import { setIdentitySecret } from "../store/identity-secret";

/**
 * POST /api/sites/:site/identity-secret: makes the site a new identity secret (its first, for a site made
 * before verification existed) and shows it this once. The previous one stops verifying at once.
 */
export const identitySecretRoutes = new Hono<AppEnv>().post("/", requireScope("admin"), async (c) => {
  const site = await siteFromPath(c);
  const secret = newIdentitySecret();
  if (!(await setIdentitySecret(c.var.db, site.id, secret))) throw new ApiError("not_found", `unknown site "${site.id}"`);
  return c.json({ site: site.id, identitySecret: secret });
});

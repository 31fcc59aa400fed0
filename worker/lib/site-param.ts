import type { Context } from "hono";
import type { SiteRow } from "../../schema";
import { findSite } from "../store/sites";
import { reaches, type AppEnv } from "./app-env";
import { ApiError } from "./errors";

/** The site named by the :site path parameter: a 403 for a token limited to other sites, a 404 for an unknown one. */
export async function siteFromPath(c: Context<AppEnv>): Promise<SiteRow> {
  const id = c.req.param("site") ?? "";
  if (!reaches(c.get("caller"), id)) throw new ApiError("forbidden", `this token may not reach site "${id}"`);
  const site = await findSite(c.var.db, id);
  if (!site) throw new ApiError("not_found", `unknown site "${id}"`);
  return site;
}
